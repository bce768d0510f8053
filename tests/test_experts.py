import pytest

from course_lib.scale import sizing
from course_lib.scale.decoder import DecoderConfig
from course_lib.serving import experts


def test_mixtral_has_47b_parameters_and_13b_active():
    counted = experts.mixture_params(experts.MIXTRAL, experts.MIXTRAL_EXPERTS, experts.MIXTRAL_TOP_K)
    assert round(counted["total"] / 1e9) == 47 and round(counted["active"] / 1e9) == 13


def test_one_expert_is_the_dense_model_plus_its_router():
    config = DecoderConfig(vocab_size=100, n_layer=2, n_head=4, n_kv_head=2, n_embd=32, d_ff=64)
    counted = experts.mixture_params(config, 1, 1)
    assert counted["total"] == counted["active"] == sizing.decoder_params(config) + 2 * 32


def test_bad_input_is_refused_clearly():
    with pytest.raises(ValueError, match="top_k"):
        experts.mixture_params(experts.MIXTRAL, 2, 3)
    with pytest.raises(ValueError, match="n_experts"):
        experts.mixture_params(experts.MIXTRAL, 0, 1)
