"""Sphinx extension for the token-economy pages: show money the way JupyterLab does.

JupyterLab reads ``$...$`` as maths in markdown, in markdown cells and in ``Markdown()`` outputs
alike, and only ``\\$`` (two backslashes) escapes a dollar sign there (jupyterlab/jupyterlab#8645).
On these pages a markdown output is plain CommonMark, where ``\\$`` shows as ``\$``
(jupyter-book/jupyter-book#750). This extension turns that ``\$`` back into ``$`` in the text of
cell outputs. (Markdown cells are fixed before parsing, by book/build.py.)
"""

from docutils import nodes
from sphinx.transforms import SphinxTransform


class OutputDollars(SphinxTransform):
    default_priority = 900

    def apply(self):
        for container in self.document.findall(nodes.container):
            if "cell_output" not in container.get("classes", []):
                continue
            for text in list(container.findall(nodes.Text)):
                if "\\$" in text and not isinstance(text.parent, (nodes.literal_block, nodes.literal, nodes.raw)):
                    text.parent.replace(text, nodes.Text(text.replace("\\$", "$")))


def setup(app):
    app.add_transform(OutputDollars)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
