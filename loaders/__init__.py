"""govtargets loaders: report text in, dbt seed tables out."""
