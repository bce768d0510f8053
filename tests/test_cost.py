"""The cost-to-train calculator: its figures against published runs, its widget, and what it rejects."""
import math

import pytest

from course_lib.scale import cost, sizing


def test_gpt3_compute_from_its_published_size_and_tokens():
    gpt3 = cost.run("GPT-3")
    result = cost.training_cost(gpt3.parameters, gpt3.tokens, 125e12, 0.4)
    assert result.flops == pytest.approx(3.15e23)
    assert result.flops == pytest.approx(gpt3.reported_flops, rel=0.01)  # Brown et al. 2020, Table D.1
    assert result.device_days == pytest.approx(3.15e23 / 50e12 / 86_400)


def test_llama_3_405b_compute_matches_its_report():
    llama = cost.run("Llama 3.1 405B")
    assert sizing.approx_training_flops(llama.parameters, llama.tokens) == pytest.approx(llama.reported_flops, rel=0.01)


@pytest.mark.parametrize("name, implied", [("GPT-3", 0.196), ("Llama 2 70B", 0.435), ("Llama 3.1 405B", 0.346)])
def test_reported_gpu_hours_imply_a_plausible_utilisation(name, implied):
    # Llama 2: 6·70e9·2e12 FLOP over 1,720,320 A100-hours at 312 TFLOP/s; Llama 3.1: 3.8e25 FLOP over 30.84M H100-hours
    assert cost.implied_utilisation(cost.run(name)) == pytest.approx(implied, abs=0.001)
    assert cost.run("GPT-3").device_hours == 3_552_000  # Patterson et al. 2021: 10,000 V100s, 14.8 days


def test_the_calculator_agrees_with_the_reported_hours_at_the_implied_utilisation():
    llama = cost.run("Llama 2 70B")
    chip = cost.ACCELERATORS[llama.accelerator]
    result = cost.training_cost(llama.parameters, llama.tokens, chip.peak_flops, cost.implied_utilisation(llama))
    assert result.device_days * 24 == pytest.approx(llama.device_hours)


def test_devices_share_the_time_and_the_state_sets_a_minimum():
    one = cost.training_cost(70e9, 2e12, 312e12, 0.4, devices=1, device_memory=80e9)
    many = cost.training_cost(70e9, 2e12, 312e12, 0.4, devices=1000, device_memory=80e9)
    assert many.days == pytest.approx(one.days / 1000) and many.device_days == one.device_days
    assert one.state_bytes == 16 * 70e9 and one.devices_to_hold_state == 14  # 1.12 TB / 80 GB
    assert "at least 14 devices" in one.summary()


def test_the_peaks_are_the_published_dense_16_bit_figures():
    peaks = {name: chip.peak_flops for name, chip in cost.ACCELERATORS.items()}
    assert peaks == {"NVIDIA V100": 125e12, "NVIDIA A100": 312e12, "NVIDIA H100": 989e12, "Google TPU v4": 275e12}
    assert all(chip.source for chip in cost.ACCELERATORS.values()) and all(r.source for r in cost.RUNS)


def test_the_table_lists_every_run():
    text = cost.table(0.4)
    assert all(r.name in text for r in cost.RUNS)
    assert "1,720,320" in text and "43%" in text and "35%" in text


@pytest.mark.parametrize("call, message", [
    (lambda: cost.training_cost(0, 1e9, 1e12, 0.4), "parameters must be a positive number"),
    (lambda: cost.training_cost(-7e9, 1e9, 1e12, 0.4), "parameters must be a positive number"),
    (lambda: cost.training_cost(7e9, 1e9, 1e12, 40), r"utilisation must be a fraction of the peak in \(0, 1\]"),
    (lambda: cost.training_cost(7e9, 1e9, 1e12, 0), "utilisation must be a fraction"),
    (lambda: cost.training_cost(7e9, 1e9, 0, 0.4), "peak_flops must be a positive number"),
    (lambda: cost.training_cost(7e9, 1e9, 1e12, 0.4, devices=2.5), "devices must be a positive whole number"),
    (lambda: cost.training_cost(7e9, 1e9, 1e12, 0.4, devices=0), "devices must be positive"),
    (lambda: cost.training_cost(7e9, 1e9, 1e12, 0.4, device_memory=-1), "device_memory must be a positive number"),
    (lambda: cost.calculator(extra={"my GPU": -3}), "extra peak 'my GPU' must be a positive number"),
])
def test_nonsense_is_rejected_with_a_clear_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_the_calculator_starts_from_a_published_run():
    with pytest.raises(TypeError, match="start must be one of cost.RUNS, got str"):
        cost.calculator("GPT-3")


def test_an_unknown_run_names_the_known_ones():
    with pytest.raises(KeyError, match="the runs are: GPT-3, Llama 2 70B, Llama 3.1 405B"):
        cost.run("GPT-5")


def test_the_calculator_redraws_when_a_control_moves(capsys):
    explorer = cost.calculator(cost.run("GPT-3"), extra={"this CPU (measured)": 1.5e11})
    parameters, tokens, device, utilisation, devices = explorer.widget.children[:5]
    assert explorer.values["accelerator"] == "NVIDIA V100" and explorer.values["devices"] == 1024
    capsys.readouterr()
    device.value = "NVIDIA A100"
    first = capsys.readouterr().out
    assert "NVIDIA A100, 40% of 3.12e+14 FLOP/s, 1,024 devices" in first and "3.15e+23 FLOP" in first
    devices.value = 2048
    assert "2,048 devices" in capsys.readouterr().out
    device.value = "this CPU (measured)"
    out = capsys.readouterr().out
    assert "this CPU (measured)" in out and "devices to hold it" not in out  # no memory figure for a CPU
    bundle = explorer.static_view()
    assert bundle["text/plain"].startswith("this CPU (measured)") and bundle["image/png"]


def test_tpu_v4_memory_is_32_gib():
    assert cost.ACCELERATORS["Google TPU v4"].memory_bytes == 32 * 2 ** 30
    assert "2:4" in cost.ACCELERATORS["NVIDIA H100"].source and cost.ACCELERATORS["NVIDIA H100"].peak_flops == 989e12


def test_every_published_run_can_be_entered_exactly():
    """A log slider snaps to its steps (GPT-3's 175e9 would become 1.78e11): each control holds every run."""
    def holds(control, x):
        if type(control).__name__ == "FloatLogSlider":
            k = (math.log10(x) - control.min) / control.step
            return abs(k - round(k)) < 1e-9
        return control.min <= x <= control.max

    explorer = cost.calculator(cost.RUNS[0])
    parameters, tokens = explorer.widget.children[:2]
    for r in cost.RUNS:
        assert holds(parameters, r.parameters) and holds(tokens, r.tokens), r.name
