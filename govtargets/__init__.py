"""Run and serve the warehouse: the ``govtargets`` command, settings, the pipeline, the dbt runner,
publishing, the expectations and export. ``loaders`` turns report text into seed rows; this package does
everything after that."""
