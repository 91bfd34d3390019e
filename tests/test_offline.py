"""With the network really off (a new network namespace), the tokenizers still work."""

import sys

from conftest import run_offline

CODE = """
import socket
names = [n for _, n in socket.if_nameindex()]
assert names == ['lo'], names  # nothing but loopback: the network is really off
import token_economy, tiktoken
from token_economy.tokens import count_tokens
for n in ('cl100k_base', 'o200k_base'):
    enc = tiktoken.get_encoding(n)
    assert enc.decode(enc.encode('offline 离线')) == 'offline 离线'
print(count_tokens('<|endoftext|> is ordinary text here'))
"""


def test_tokenizers_work_with_network_off(tmp_path):
    # An empty cache folder: the vocabularies can only come from the collection's data/.
    result = run_offline([sys.executable, "-c", CODE], env={"TIKTOKEN_CACHE_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) > 5
