"""token_economy: the helper library of the token-economy teaching collection.

Importing the package makes tiktoken's ``cl100k_base`` and ``o200k_base`` work
offline (see :mod:`token_economy.encodings`). The modules follow the flow of the
collection: ``tokens`` -> ``hardware``/``factory`` -> ``pricing`` -> ``profit``,
with ``collapse`` for model collapse, ``data`` for the tables, ``plots`` for the
figures and ``widgets`` for the explorers.
"""

from . import encodings as _encodings

__version__ = "0.1.0"

VOCABULARY_CACHE = _encodings.install()
