"""The explorer: a static site of a warehouse (``govtargets site``; see ``govtargets.site.build``)."""
