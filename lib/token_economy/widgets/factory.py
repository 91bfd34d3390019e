"""Explorers of notebooks 03 and 04: the token factory, and memory against HBM."""

from __future__ import annotations

import html

import ipywidgets as W
import pandas as pd

from .. import checks, factory, hardware
from ..plots import factory as fplots
from . import Explorer, FigureView, register

STYLE = {"description_width": "150px"}


LAYOUT = W.Layout(width="330px")


def _ids(table, column):
    return list(table[column])


def results_html(s: factory.ServingCost) -> str:
    """A small HTML table of a :class:`factory.ServingCost` (numbers and our own ids only)."""
    rows = [
        ("GPUs", f"{s.n_gpus} x {s.gpu_id} at ${s.usd_per_gpu_hour:,.2f} per GPU-hour"),
        ("output speed", f"{s.output_tokens_per_second:,.0f} tokens/s "
                         f"({s.output_tokens_per_second_per_user:,.1f} per user)"),
        ("$ per million output tokens", f"${s.usd_per_m_output_tokens:,.3f}"),
        ("$ per million input tokens", f"${s.usd_per_m_input_tokens:,.4f}"),
        ("joules per output token", f"{s.joules_per_output_token:,.2f} J"),
        ("decoding step", f"{s.decode_step_seconds * 1e3:,.1f} ms: {s.bottleneck}-bound "
                          f"(memory {s.memory_seconds * 1e3:,.1f} ms, compute {s.compute_seconds * 1e3:,.1f} ms "
                          "at the roofline)"),
        ("largest batch that fits", f"{s.max_batch:,}"),
        ("compute-bound from batch", "never (the KV cache grows as fast as the work)" if s.crossover_batch is None
         else f"{s.crossover_batch:,}"),
    ]
    body = "".join(f"<tr><td>{html.escape(k)}</td><td><b>{html.escape(v)}</b></td></tr>" for k, v in rows)
    return f'<table class="te-table">{body}</table>'


@register
class FactoryExplorer(Explorer):
    name = "factory"
    title = "The token factory: a GPU, a model and a batch -> dollars and joules per million tokens"
    notebook = "03_token_factory"

    def make_controls(self):
        gpus, models = hardware.gpus(), hardware.models()
        return {
            "gpu": W.Dropdown(options=_ids(gpus, "gpu_id"), value="H100-SXM", description="GPU", style=STYLE,
                              layout=LAYOUT),
            "model": W.Dropdown(options=list(zip(models["name"], models["model_id"])), value="llama-3.1-70b",
                                description="model", style=STYLE, layout=LAYOUT),
            "batch": W.IntText(value=64, description="batch (sequences)", style=STYLE, layout=LAYOUT),
            "context_tokens": W.IntText(value=4096, description="context (tokens)", style=STYLE, layout=LAYOUT),
            "auto_gpus": W.Checkbox(value=True, description="fewest GPUs that fit", indent=False),
            "n_gpus": W.IntText(value=8, description="GPUs (if not auto)", style=STYLE, layout=LAYOUT),
            "utilization": W.FloatText(value=0.5, step=0.05, description="utilization (0-1]", style=STYLE,
                                       layout=LAYOUT),
            "electricity": W.FloatText(value=factory.ELECTRICITY_USD_PER_KWH, step=0.01,
                                       description="electricity $/kWh", style=STYLE, layout=LAYOUT),
            "pricing": W.ToggleButtons(options=[("own the GPU", "own"), ("rent it", "rent")], value="own",
                                       description="GPU-hour", style={"description_width": "70px"}),
        }

    def layout_controls(self):
        c = self.controls
        left = W.VBox([c["gpu"], c["model"], c["batch"], c["context_tokens"], c["auto_gpus"]])
        right = W.VBox([c["n_gpus"], c["utilization"], c["electricity"], c["pricing"]])
        return W.HBox([left, right])

    def make_body(self):
        self.table = W.HTML()
        self.view = FigureView(11, 3.8, 1, 2, dpi=90, margins=dict(left=0.08, right=0.985, bottom=0.14, top=0.91,
                                                               wspace=0.28))
        return W.VBox([self.table, self.view.image])

    def compute(self, gpu, model, batch, context_tokens, auto_gpus, n_gpus, utilization, electricity, pricing):
        price = None
        if pricing == "rent":
            price = hardware.get_gpu(gpu).usd_per_hour_rental
            if price is None:
                raise ValueError(f"No public rental price for {gpu} in data/gpus.csv: choose 'own the GPU'.")
        return factory.serving_cost(model, gpu, batch=batch, context_tokens=context_tokens, utilization=utilization,
                                    n_gpus=None if auto_gpus else n_gpus, usd_per_gpu_hour=price,
                                    electricity_usd_per_kwh=electricity)

    def draw(self, s: factory.ServingCost, axes):
        for ax in axes:
            fplots.soft_clear(ax)
        batches = sorted({b for b in (1, 8, 64, 512) if b <= s.max_batch} | {s.batch})
        fplots.roofline_chart(s.gpu_id, s.model_id, batches, s.context_tokens, s.n_gpus, highlight=s.batch,
                              ax=axes[0])
        fplots.cost_vs_batch_chart(s.model_id, s.gpu_id, context_tokens=s.context_tokens, utilization=s.utilization,
                                   n_gpus=s.n_gpus, usd_per_gpu_hour=s.usd_per_gpu_hour, highlight=s.batch,
                                   ax=axes[1])

    def update(self, **values):
        s = self.compute(**values)
        self.table.value = results_html(s)
        self.draw(s, self.view.axes)
        self.view.draw()
        if s.batch > s.max_batch:
            return f"Batch {s.batch:,} does not fit next to the weights at this context: at most {s.max_batch:,}."
        if s.bottleneck == "memory":
            return ("Memory-bound: each step waits for HBM, so a larger batch makes every token cheaper "
                    f"(up to {s.max_batch:,} sequences fit).")
        return "Compute-bound: the GPUs are busy computing; a larger batch no longer lowers the cost per token."

    def static(self):
        s = self.compute(**self.values())
        fig, axes = fplots.new_figure(11, 3.8, 1, 2)
        self.draw(s, axes)
        return fig

    @classmethod
    def sample_settings(cls, rng):
        """Varied settings that the factory can serve (re-drawn until ``compute`` accepts them)."""
        gpus, models = hardware.gpus(), hardware.models()
        for _ in range(100):
            settings = {
                "gpu": rng.choice(_ids(gpus, "gpu_id")),
                "model": rng.choice(_ids(models, "model_id")),
                "batch": rng.choice([1, 4, 16, 64, 256, 1024]),
                "context_tokens": rng.choice([512, 4096, 32768, 131072]),
                "auto_gpus": rng.random() < 0.7,
                "n_gpus": rng.choice([1, 2, 8, 16]),
                "utilization": round(rng.uniform(0.05, 1.0), 2),
                "electricity": round(rng.uniform(0.0, 0.3), 3),
                "pricing": rng.choice(["own", "rent"]),
            }
            try:
                cls.compute(None, **settings)
            except ValueError:
                continue
            return settings
        raise RuntimeError("no valid factory setting found in 100 draws")  # pragma: no cover


def users_table(context_tokens, users, *, kv_bytes=2) -> pd.DataFrame:
    """For each model: memory needed for ``users`` sequences, and GPUs of each kind needed to hold it.

    >>> int(users_table(4096, 1).loc["Llama 3.1 8B", "H100-SXM GPUs"])
    1
    """
    context_tokens = checks.whole("context_tokens", context_tokens, minimum=1, maximum=hardware.MAX_CONTEXT_TOKENS)
    users = checks.whole("users", users, minimum=1, maximum=hardware.MAX_BATCH)
    rows = []
    gpu_ids = hardware.gpu_ids()
    for mid in hardware.model_ids():
        m = hardware.get_model(mid)
        need = hardware.memory_needed_bytes(m, context_tokens, users, kv_bytes=kv_bytes)
        row = {"model": m.name.replace(" (and R1)", ""), "weights GB": need["weights"] / 1e9,
               "KV cache GB": need["kv_cache"] / 1e9, "total GB": need["total"] / 1e9}
        for gid in gpu_ids:
            row[f"{gid} GPUs"] = factory.n_gpus_needed(m, gid, batch=users, context_tokens=context_tokens,
                                                       kv_bytes=kv_bytes)
        rows.append(row)
    return pd.DataFrame(rows).set_index("model")


@register
class MemoryExplorer(Explorer):
    name = "memory_wall"
    title = "The memory wall: context length and users -> memory needed vs each GPU's HBM"
    notebook = "04_memory_wall"

    def make_controls(self):
        return {
            "context_tokens": W.IntText(value=32768, description="context (tokens)", style=STYLE, layout=LAYOUT),
            "users": W.IntText(value=16, description="users at once", style=STYLE, layout=LAYOUT),
            "kv_bytes": W.Dropdown(options=[("BF16 (2 bytes)", 2), ("FP8 (1 byte)", 1)], value=2,
                                   description="KV cache precision", style=STYLE, layout=LAYOUT),
        }

    def make_body(self):
        self.table = W.HTML()
        self.view = FigureView(8.0, 3.6, dpi=90, margins=dict(left=0.16, right=0.97, bottom=0.14, top=0.91))
        key = " &middot; ".join(f'<span style="color:{colour}">- - {cap:g} GB: {html.escape(", ".join(ids))}</span>'
                                for cap, ids, colour in fplots.gpu_capacities())
        return W.VBox([self.view.image, W.HTML(f"<small>Dashed lines, the HBM of one GPU: {key}</small>"), self.table])

    @staticmethod
    def check(context_tokens, users):
        if context_tokens < 1:
            raise ValueError(f"context_tokens must be at least 1 token, got {context_tokens}.")
        if users < 1:
            raise ValueError(f"users must be at least 1, got {users}.")
        if context_tokens > 10_000_000 or users > 1_000_000:
            raise ValueError("That is beyond any real deployment: keep context under 10 million tokens "
                             "and users under a million.")

    def update(self, context_tokens, users, kv_bytes):
        self.check(context_tokens, users)
        fplots.soft_clear(self.view.axes)
        fplots.memory_chart(hardware.model_ids(), context_tokens, users, kv_bytes=kv_bytes,
                            ax=self.view.axes, gpu_key=False)
        self.view.draw()
        table = users_table(context_tokens, users, kv_bytes=kv_bytes)
        self.table.value = table.to_html(float_format=lambda x: f"{x:,.0f}", classes="te-table")
        over = [m for m, r in table.iterrows() if r["total GB"] > 0 and r["KV cache GB"] > r["weights GB"]]
        if over:
            return f"The KV cache now outweighs the weights for: {', '.join(over)}."
        return None

    def static(self):
        v = self.values()
        self.check(v["context_tokens"], v["users"])
        return fplots.memory_chart(hardware.model_ids(), v["context_tokens"], v["users"],
                                   kv_bytes=v["kv_bytes"])

    @classmethod
    def sample_settings(cls, rng):
        return {"context_tokens": rng.choice([1, 1024, 4096, 32768, 131072, 1_000_000]),
                "users": rng.choice([1, 4, 16, 64, 256, 4096]), "kv_bytes": rng.choice([1, 2])}
