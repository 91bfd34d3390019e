"""Check every table against data/datapackage.json, or draft the description of a new table.

Usage (from the repository root, in the collection's environment):

    python data/tables.py check          # every table: each problem by file, line and column
    python data/tables.py draft NAME     # a draft resource for data/NAME.csv, to paste into
                                         # data/datapackage.json and complete (units, ranges,
                                         # licence, sources)

The checks are the ones ``token_economy.data.load`` runs; see that module's docstring.
"""

import sys

from token_economy import data

if __name__ == "__main__":
    sys.exit(data._main())
