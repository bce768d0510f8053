"""What a training run costs: parameters and tokens → FLOPs → device-days, and memory.

    FLOPs        C = 6·N·D                        (N parameters, D training tokens)
    device-days  C / (peak FLOP/s × utilisation) / 86,400 s
    wall-clock   device-days / number of devices
    memory       16 bytes per parameter of training state (Adam, mixed precision)

Every input below is cited: the accelerators' dense 16-bit peaks from their makers'
datasheets, the runs' sizes and reported compute or device-hours from their papers.
"""
from __future__ import annotations

from dataclasses import dataclass

from course_lib.scale import sizing

SECONDS_PER_DAY = 86_400
GB = 1e9
GIB = 2 ** 30  # a gibibyte: TPU memory is documented in GiB
DEVICE_COUNTS = [2 ** k for k in range(17)]  # the calculator's choices: 1 to 65,536 devices


@dataclass(frozen=True)
class Accelerator:
    name: str
    peak_flops: float  # dense matrix-multiply peak in 16-bit floats, FLOP/s
    memory_bytes: float
    source: str


ACCELERATORS = {a.name: a for a in (
    Accelerator("NVIDIA V100", 125e12, 32 * GB, "NVIDIA V100 datasheet: 125 TFLOPS tensor (fp16), 32 GB"),
    Accelerator("NVIDIA A100", 312e12, 80 * GB, "NVIDIA A100 datasheet: 312 TFLOPS bf16 dense (624 with sparsity), 80 GB"),
    Accelerator("NVIDIA H100", 989e12, 80 * GB,
                "NVIDIA H100 SXM datasheet: 1,979 TFLOPS bf16 with 2:4 structured sparsity (two of every four "
                "weights zero), 989 dense; 80 GB"),
    Accelerator("Google TPU v4", 275e12, 32 * GIB, "Google Cloud TPU v4 documentation: 275 TFLOPS bf16, 32 GiB HBM"),
)}


@dataclass(frozen=True)
class Run:
    """A published training run: what its paper or model card reports."""
    name: str
    parameters: float
    tokens: float
    accelerator: str
    reported_flops: float | None = None
    device_hours: float | None = None
    source: str = ""


RUNS = (
    Run("GPT-3", 175e9, 300e9, "NVIDIA V100", reported_flops=3.14e23, device_hours=10_000 * 14.8 * 24,
        source="Brown et al. 2020, arXiv:2005.14165: Table 2.1 (175B, 300B tokens), Table D.1 (3.14e23 FLOP, "
               "itself 6·N·D), §2.3 (V100 GPUs); Patterson et al. 2021, arXiv:2104.10350, Table 4 "
               "(10,000 V100s for 14.8 days)"),
    Run("Llama 2 70B", 70e9, 2.0e12, "NVIDIA A100", device_hours=1_720_320,
        source="Touvron et al. 2023, arXiv:2307.09288: Table 1 (2.0T tokens), §2.2.1 and Table 2 "
               "(1,720,320 A100-80GB GPU-hours)"),
    Run("Llama 3.1 405B", 405e9, 15.6e12, "NVIDIA H100", reported_flops=3.8e25, device_hours=30.84e6,
        source="Llama Team 2024, arXiv:2407.21783, §1 (405B, 15.6T tokens, 3.8e25 FLOP); "
               "Llama 3.1 model card (30.84M H100-80GB GPU-hours)"),
)


def run(name: str) -> Run:
    for r in RUNS:
        if r.name == name:
            return r
    raise KeyError(f"no run named {name!r}; the runs are: {', '.join(r.name for r in RUNS)}")


@dataclass(frozen=True)
class TrainingCost:
    flops: float
    device_days: float  # days one device would need
    days: float  # wall-clock days on all the devices
    state_bytes: float  # weights, gradients and Adam state, mixed precision
    devices_to_hold_state: int | None  # devices whose memory the state alone fills

    def summary(self) -> str:
        lines = [f"compute      6·N·D = {self.flops:.3g} FLOP",
                 f"time         {self.device_days:,.0f} device-days = {self.days:,.1f} days on all devices",
                 f"memory       {self.state_bytes / 1e12:,.3g} TB of training state (16 bytes per parameter)"]
        if self.devices_to_hold_state:
            lines.append(f"             at least {self.devices_to_hold_state:,} devices to hold it, before activations")
        return "\n".join(lines)


def utilisation_fraction(utilisation: float) -> float:
    if isinstance(utilisation, bool) or not isinstance(utilisation, (int, float)) or not 0 < utilisation <= 1:
        raise ValueError(f"utilisation must be a fraction of the peak in (0, 1], e.g. 0.4; got {utilisation!r}")
    return float(utilisation)


def training_cost(parameters: float, tokens: float, peak_flops: float, utilisation: float,
                  devices: int = 1, device_memory: float | None = None) -> TrainingCost:
    """The cost of training a dense model of ``parameters`` on ``tokens`` tokens, on
    ``devices`` accelerators of ``peak_flops`` each, running at ``utilisation`` of that peak."""
    flops = sizing.approx_training_flops(parameters, tokens)
    peak, u = sizing.amount("peak_flops", peak_flops), utilisation_fraction(utilisation)
    devices = sizing.count("devices", devices)
    device_days = flops / (peak * u) / SECONDS_PER_DAY
    state = sum(sizing.adam_training_bytes(parameters).values())
    holding = None
    if device_memory is not None:
        holding = -int(-state // sizing.amount("device_memory", device_memory))  # rounded up
    return TrainingCost(flops, device_days, device_days / devices, state, holding)


def implied_utilisation(r: Run) -> float | None:
    """The utilisation a run's reported device-hours imply: its FLOPs / (hours × peak).
    Uses the reported FLOPs where given, else 6·N·D."""
    if r.device_hours is None:
        return None
    flops = r.reported_flops or sizing.approx_training_flops(r.parameters, r.tokens)
    return flops / (r.device_hours * 3600 * ACCELERATORS[r.accelerator].peak_flops)


def table(utilisation: float = 0.4) -> str:
    """The published runs: 6·N·D against the reported FLOPs, and the reported device-hours
    against the calculator's at ``utilisation``."""
    lines = [f"{'run':<16}{'6·N·D':>10}{'reported':>10}{'hardware':>14}{'device-hours':>14}"
             f"{f'at {utilisation:.0%}':>12}{'implied':>9}"]
    for r in RUNS:
        chip = ACCELERATORS[r.accelerator]
        estimate = training_cost(r.parameters, r.tokens, chip.peak_flops, utilisation)
        reported = f"{r.reported_flops:.3g}" if r.reported_flops else "—"
        hours = f"{r.device_hours:,.0f}" if r.device_hours else "—"
        implied = implied_utilisation(r)
        lines.append(f"{r.name:<16}{estimate.flops:>10.3g}{reported:>10}{chip.name.split()[-1]:>14}{hours:>14}"
                     f"{estimate.device_days * 24:>12,.0f}{f'{implied:.0%}' if implied else '—':>9}")
    return "\n".join(lines)


def calculator(start: Run = RUNS[0], extra: dict[str, float] | None = None):
    """An interactive cost calculator, starting from a published run.

    ``extra`` adds accelerators by peak FLOP/s, e.g. {"this CPU (measured)": 1.4e11}.
    Left: the run on the plane of parameters and training FLOPs, among the published runs.
    Right: wall-clock days against the number of devices, and how many it takes to hold
    the training state at all.
    """
    import ipywidgets as widgets

    from course_lib.machinery import viz

    if not isinstance(start, Run):
        raise TypeError(f"start must be one of cost.RUNS, got {type(start).__name__}")
    peaks = {name: chip.peak_flops for name, chip in ACCELERATORS.items()}
    peaks.update({name: sizing.amount(f"extra peak {name!r}", peak) for name, peak in (extra or {}).items()})

    def draw(parameters, tokens, accelerator, utilisation, devices):
        memory = ACCELERATORS[accelerator].memory_bytes if accelerator in ACCELERATORS else None
        result = training_cost(parameters, tokens, peaks[accelerator], utilisation, devices, memory)
        print(f"{accelerator}, {utilisation:.0%} of {peaks[accelerator]:.3g} FLOP/s, {devices:,} devices\n"
              + result.summary())
        fig = viz.figure(figsize=(10, 3.8))
        plane, clock = fig.subplots(1, 2)
        draw_compute_plane(plane, parameters, result.flops)
        draw_wall_clock(clock, result, devices)
        fig.tight_layout()
        return fig

    return viz.Explorer(
        draw,
        # Text boxes, not log sliders: a slider's steps cannot hold 175e9 or 405e9 exactly; type 405e9.
        parameters=widgets.BoundedFloatText(value=start.parameters, min=1e6, max=1e13, description="parameters"),
        tokens=widgets.BoundedFloatText(value=start.tokens, min=1e8, max=1e14, description="tokens"),
        accelerator=widgets.Dropdown(options=list(peaks), value=start.accelerator, description="device"),
        utilisation=widgets.FloatSlider(value=0.4, min=0.05, max=0.8, step=0.01, description="utilisation"),
        devices=widgets.SelectionSlider(options=DEVICE_COUNTS, value=1024, description="devices"),
    )


def draw_compute_plane(ax, parameters: float, flops: float) -> None:
    """Training FLOPs against parameters: lines of equal tokens, the published runs, and this one."""
    import numpy as np
    n = np.logspace(6, 13, 50)
    for k, shade in ((13, "0.3"), (11, "0.5"), (9, "0.7")):
        ax.plot(n, 6 * n * 10.0 ** k, ":", color=shade, lw=1.2, label=f"D = 1e{k} tokens")
    for i, r in enumerate(RUNS):
        right = i % 2 == 0  # alternate the labels' sides so that close runs stay readable
        ax.scatter(r.parameters, 6 * r.parameters * r.tokens, color="C0")
        ax.annotate(r.name, (r.parameters, 6 * r.parameters * r.tokens), fontsize=8, textcoords="offset points",
                    xytext=(6, -12) if right else (-6, 6), ha="left" if right else "right")
    ax.scatter(parameters, flops, marker="*", s=200, color="C3", zorder=3, label="your run")
    ax.set(xscale="log", yscale="log", xlabel="parameters N", ylabel="training FLOPs 6·N·D",
           title="compute: parameters × tokens")
    ax.legend(loc="lower right", fontsize=7)
    plain_powers(ax)


def draw_wall_clock(ax, result: TrainingCost, devices: int) -> None:
    """Wall-clock days against devices, with the counts too small to hold the training state shaded."""
    import numpy as np
    counts = np.array(DEVICE_COUNTS, dtype=float)
    ax.plot(counts, result.device_days / counts, color="C0")
    ax.scatter(devices, result.days, marker="*", s=200, color="C3", zorder=3)
    for days, label in ((1, "a day"), (30, "a month"), (365, "a year")):
        ax.axhline(days, color="gray", ls=":", lw=1)
        # name the line at the end the curve is farther from, so that the curve never crosses the name
        gap = [abs(np.log10(result.device_days / n / days)) for n in (counts[0], counts[-1])]
        end, ha = (counts[0], "left") if gap[0] > gap[1] else (counts[-1], "right")
        ax.annotate(label, (end, days), xytext=(0, 2), textcoords="offset points", ha=ha, fontsize=7, color="gray")
    if result.devices_to_hold_state and result.devices_to_hold_state > 1:
        ax.axvspan(1, result.devices_to_hold_state, color="C3", alpha=0.1,
                   label="too few devices to hold\nthe training state")
        ax.legend(fontsize=8, loc="upper right")
    ax.set(xscale="log", yscale="log", xlabel="devices", ylabel="wall-clock days",
           title="time: device-days shared by the devices")
    plain_powers(ax)


def plain_powers(ax) -> None:
    """Label log axes 1e6, 1e7, ... in plain text: math-text labels are slow to draw."""
    import numpy as np
    from matplotlib.ticker import FuncFormatter, NullFormatter
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(FuncFormatter(lambda value, _: f"1e{np.log10(value):.0f}"))
        axis.set_minor_formatter(NullFormatter())
