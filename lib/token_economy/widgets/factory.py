"""Explorers of notebooks 03 and 04: the token factory, and memory against HBM.

Every number comes from :mod:`token_economy.factory` and :mod:`token_economy.hardware`; the controls'
defaults are the library's (``factory.default_utilization()`` and so on). After an invalid setting
the old result is cleared, so a message never sits above numbers that no longer apply.
"""

from __future__ import annotations

import html

import ipywidgets as W

from .. import checks, display, factory, hardware
from ..plots import factory as fplots
from ..plots import key_mark
from . import Explorer, FigureView, register

STYLE = {"description_width": "150px"}
LAYOUT = W.Layout(width="330px")
BATCH_MAX_POWER = 16  # batch slider: 1 to 2**16 sequences
CONTEXT_POWERS = (7, 17)  # context slider: 128 to 131,072 tokens


def _ids(table, column):
    return list(table[column])


def _whole(label: str, value, maximum: float) -> int:
    """A slider or box value as a whole number, or a ValueError naming the control."""
    return int(round(checks.number(label, value, minimum=1, maximum=maximum)))


def _results_html(s: factory.ServingCost, best, speed: float) -> str:
    """A small HTML table of a :class:`factory.ServingCost` and the cheapest setting at ``speed`` (numbers only)."""
    cheapest = ("none of the deployments we try keeps this speed" if best is None else
                f"{int(best['n_gpus'])} GPUs ({best['layout']} layout), batch {int(best['batch']):,}: "
                f"${best['usd_per_m_output']:,.3f} per M output, {best['tokens_per_s_per_user']:,.1f} tokens/s per user")
    rows = [
        ("GPUs", f"{s.n_gpus} x {s.gpu_id} ({s.layout} layout) at ${s.usd_per_gpu_hour:,.2f} per GPU-hour"),
        ("output speed", f"{s.output_tokens_per_second:,.0f} tokens/s "
                         f"({s.output_tokens_per_second_per_user:,.1f} per user)"),
        ("$ per million output tokens", f"${s.usd_per_m_output_tokens:,.3f}"),
        ("$ per million input tokens", f"${s.usd_per_m_input_tokens:,.4f}"),
        ("joules per output token", f"{s.joules_per_output_token:,.2f} J"),
        ("decoding step", f"{s.decode_step_seconds * 1e3:,.1f} ms: {s.bottleneck}-bound "
                          f"(memory {s.memory_seconds * 1e3:,.1f} ms, compute {s.compute_seconds * 1e3:,.1f} ms "
                          "at the roofline)"),
        ("largest batch that fits", f"{s.max_batch:,}"),
        (f"cheapest at {speed:g} tokens/s per user", cheapest),
    ]
    body = "".join(f"<tr><td>{html.escape(k)}</td><td><b>{html.escape(v)}</b></td></tr>" for k, v in rows)
    return f'<table class="te-table">{body}</table>'


@register
class FactoryExplorer(Explorer):
    name = "factory"
    title = "The token factory: a GPU, a model and a batch -> dollars and joules per million tokens"
    notebook = "03_token_factory"
    #: factory's arguments -> this explorer's controls
    labels = {"min_tokens_per_s_per_user": "speed", "electricity_usd_per_kwh": "electricity",
              "usd_per_gpu_hour": "pricing"}

    def make_controls(self):
        gpus, models = hardware.gpus(), hardware.models()
        log = dict(style=STYLE, layout=LAYOUT, readout_format=",.0f")
        return {
            "gpu": W.Dropdown(options=_ids(gpus, "gpu_id"), value="H100-SXM", description="GPU", style=STYLE,
                              layout=LAYOUT),
            "model": W.Dropdown(options=list(zip(models["name"], models["model_id"])), value="llama-3.1-70b",
                                description="model", style=STYLE, layout=LAYOUT),
            "batch": W.FloatLogSlider(value=64, base=2, min=0, max=BATCH_MAX_POWER, step=0.25,
                                      description="batch (sequences)", **log),
            "context_tokens": W.FloatLogSlider(value=4096, base=2, min=CONTEXT_POWERS[0], max=CONTEXT_POWERS[1],
                                               step=0.25, description="context (tokens)", **log),
            "auto_gpus": W.Checkbox(value=True, description="smallest deployment that fits", indent=False),
            "n_gpus": W.IntText(value=8, description="GPUs (if not auto)", style=STYLE, layout=LAYOUT,
                                disabled=True),
            "layout": W.Dropdown(options=[("the model's usual", "auto"), ("tensor: split every layer", "tensor"),
                                          ("expert: DeepSeek's", "expert")], value="auto",
                                 description="layout", style=STYLE, layout=LAYOUT),
            "weight_bytes": W.Dropdown(options=[("as released", 0), ("BF16 (2 bytes)", 2), ("FP8 (1 byte)", 1)],
                                       value=0, description="weights", style=STYLE, layout=LAYOUT),
            "kv_bytes": W.Dropdown(options=[("BF16 (2 bytes)", 2), ("FP8 (1 byte)", 1)], value=2,
                                   description="KV cache", style=STYLE, layout=LAYOUT),
            "utilization": W.FloatText(value=round(factory.default_utilization(), 3), step=0.05,
                                       description="share of roofline (0-1]", style=STYLE, layout=LAYOUT),
            "load_factor": W.FloatText(value=round(factory.default_load_factor(), 3), step=0.05,
                                       description="share of hours busy (0-1]", style=STYLE, layout=LAYOUT),
            "speed": W.FloatText(value=factory.service_level(), step=5, description="target tokens/s per user",
                                 style=STYLE, layout=LAYOUT),
            "electricity": W.FloatText(value=factory.tco_parameters("H100-SXM")["electricity_usd_per_kwh"],
                                       step=0.01, description="electricity $/kWh", style=STYLE, layout=LAYOUT),
            "pricing": W.ToggleButtons(options=[("own the GPU", "own"), ("rent it", "rent")], value="own",
                                       description="GPU-hour", style={"description_width": "70px"}),
        }

    def layout_controls(self):
        c = self.controls
        left = W.VBox([c[k] for k in ("gpu", "model", "batch", "context_tokens", "auto_gpus", "n_gpus", "layout")])
        right = W.VBox([c[k] for k in ("weight_bytes", "kv_bytes", "utilization", "load_factor", "speed",
                                        "electricity", "pricing")])
        return W.HBox([left, right])

    def make_body(self):
        self.table = W.HTML()
        self.view = FigureView(11, 3.8, 1, 2, dpi=80, margins=dict(left=0.08, right=0.985, bottom=0.14, top=0.91,
                                                               wspace=0.28))
        return W.VBox([self.table, self.view.image])

    def compute(self, gpu, model, batch, context_tokens, auto_gpus, n_gpus, layout, weight_bytes, kv_bytes,
                utilization, load_factor, speed, electricity, pricing):
        batch = _whole("batch", batch, hardware.MAX_BATCH)
        context = _whole("context_tokens", context_tokens, hardware.MAX_CONTEXT_TOKENS)
        options = dict(weight_bytes=weight_bytes or None, kv_bytes=kv_bytes, utilization=utilization,
                       load_factor=load_factor)
        lay = None if layout == "auto" else layout
        if pricing == "rent":
            price = hardware.get_gpu(gpu).usd_per_hour_rental
            if price is None:
                raise ValueError(f"No public rental price for {gpu} in data/gpus.csv: choose \u201cown the GPU\u201d.")
        else:
            price = float(factory.tco_per_gpu_hour(gpu, electricity_usd_per_kwh=electricity)["total"])
        s = factory.serving_cost(model, gpu, batch=batch, context_tokens=context, n_gpus=None if auto_gpus else n_gpus,
                                 usd_per_gpu_hour=price, layout=lay, **options)
        f = factory.frontier(model, gpu, context, usd_per_gpu_hour=price, layouts=lay, points=16,
                             min_tokens_per_s_per_user=speed, **options)
        return s, f, factory.cost_at_speed(f)

    def draw(self, s: factory.ServingCost, f, speed, axes):
        for ax in axes:
            fplots.soft_clear(ax)
        batches = sorted({1, 8, 64, 512, s.batch})
        fplots.roofline_chart(s.gpu_id, s.model_id, batches, s.context_tokens, s.n_gpus, highlight=s.batch,
                              ax=axes[0], weight_bytes=f.attrs["weight_bytes"], kv_bytes=f.attrs["kv_bytes"],
                              layout=s.layout)
        label = f"{hardware.display_name(s.model_id)} on {s.gpu_id}"
        fplots.frontier_chart({label: f}, speed=speed, ax=axes[1], show_all=False,
                              highlight=(s.output_tokens_per_second_per_user, s.usd_per_m_output_tokens,
                                         f"{s.n_gpus} GPUs, batch {s.batch:,}"),
                              title=f"Cost against speed, {s.context_tokens:,}-token context")

    def clear(self):
        """Remove the last result, so that a message never sits above numbers that no longer apply."""
        self.table.value = ""
        self.view.image.value = b""

    def update(self, **values):
        self.controls["n_gpus"].disabled = bool(values["auto_gpus"])
        self.controls["electricity"].disabled = values["pricing"] == "rent"
        try:
            s, f, best = self.compute(**values)
            speed = f.attrs["min_tokens_per_s_per_user"]
            self.table.value = _results_html(s, best, speed)
            self.draw(s, f, speed, self.view.axes)
            self.view.draw()
        except Exception:
            self.clear()
            raise
        per_user = s.output_tokens_per_second_per_user
        pace = (f"Each user gets {per_user:,.1f} tokens/s, {'at least' if per_user >= speed else 'below'} "
                f"the target of {speed:g}. ")
        if s.bottleneck == "memory":
            return pace + ("Memory-bound: each step waits for HBM, so a larger batch makes every token cheaper "
                           f"(up to {s.max_batch:,} sequences fit), and each user slower.")
        return pace + "Compute-bound: the GPUs are busy computing; a larger batch no longer lowers the cost per token."

    def static(self):
        s, f, _ = self.compute(**self.values())
        fig, axes = fplots.new_figure(11, 3.8, 1, 2)
        self.draw(s, f, f.attrs["min_tokens_per_s_per_user"], axes)
        return fig

    @classmethod
    def sample_settings(cls, rng):
        """Varied settings that the factory can serve (re-drawn until ``compute`` accepts them)."""
        gpus, models = hardware.gpus(), hardware.models()
        for _ in range(100):
            settings = {
                "gpu": rng.choice(_ids(gpus, "gpu_id")),
                "model": rng.choice(_ids(models, "model_id")),
                "batch": float(rng.choice([1, 4, 16, 64, 256, 1024])),
                "context_tokens": float(rng.choice([512, 4096, 32768, 131072])),
                "auto_gpus": rng.random() < 0.7,
                "n_gpus": rng.choice([1, 2, 8, 16]),
                "layout": rng.choice(["auto", "auto", "tensor"]),
                "weight_bytes": rng.choice([0, 2, 1]),
                "kv_bytes": rng.choice([2, 1]),
                "utilization": round(rng.uniform(0.05, 1.0), 2),
                "load_factor": round(rng.uniform(0.3, 1.0), 2),
                "speed": float(rng.choice([5, 10, 20, 50])),
                "electricity": round(rng.uniform(0.0, 0.3), 3),
                "pricing": rng.choice(["own", "rent"]),
            }
            try:
                cls.compute(None, **settings)
            except ValueError:
                continue
            return settings
        raise RuntimeError("no valid factory setting found in 100 draws")  # pragma: no cover


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
        key = " &middot; ".join(f'{key_mark(colour, "dashed")}{cap:g} GB: {html.escape(", ".join(ids))}'
                                for cap, ids, colour in fplots.gpu_capacities())
        return W.VBox([self.view.image, W.HTML(f'<small class="te-key">Dashed lines, the HBM of one GPU: {key}</small>'),
                       self.table])

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
        try:
            self.check(context_tokens, users)
            fplots.soft_clear(self.view.axes)
            fplots.memory_chart(hardware.model_ids(), context_tokens, users, kv_bytes=kv_bytes,
                                ax=self.view.axes, gpu_key=False)
            self.view.draw()
            table = hardware.users_table(context_tokens, users, kv_bytes=kv_bytes)
            self.table.value = display.table(table, decimals=0).to_html()
        except Exception:
            self.table.value = ""
            self.view.image.value = b""
            raise
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
