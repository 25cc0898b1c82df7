"""The 2-D PCA map: axes follow the variance, signs are stable, degenerate data does not break."""

from __future__ import annotations

import numpy as np
import pytest

from faq_engine.ui.projection import fit_pca


def _stretched_cloud(seed: int = 0) -> np.ndarray:
    """Points spread mostly along x, then y, barely along z (rotated into 5-D)."""
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(200, 3)) * np.array([10.0, 3.0, 0.1])
    rotation, _ = np.linalg.qr(rng.normal(size=(5, 5)))
    return np.hstack([base, np.zeros((200, 2))]) @ rotation + 7.0


def test_axes_are_the_directions_of_greatest_variance():
    data = _stretched_cloud()
    proj = fit_pca(data)
    coords = proj.transform(data)
    var = coords.var(axis=0)
    assert var[0] > var[1] > 0
    # No other unit direction carries more variance than the first axis.
    centred = data - data.mean(axis=0)
    rng = np.random.default_rng(1)
    for direction in rng.normal(size=(50, 5)):
        direction /= np.linalg.norm(direction)
        assert (centred @ direction).var() <= var[0] + 1e-9
    assert np.allclose(proj.components @ proj.components.T, np.eye(2), atol=1e-9)
    assert proj.explained[0] > proj.explained[1] > 0
    assert sum(proj.explained) < 1.0


def test_projection_is_centred_and_matches_a_manual_computation():
    data = _stretched_cloud(3)
    proj = fit_pca(data)
    coords = proj.transform(data)
    assert np.allclose(coords.mean(axis=0), 0, atol=1e-9)
    point = data[17]
    assert np.allclose(proj.transform(point)[0], (point - data.mean(axis=0)) @ proj.components.T)


def test_signs_are_deterministic_under_row_order_and_sign_flips_of_the_svd():
    data = _stretched_cloud(5)
    shuffled = data[np.random.default_rng(2).permutation(len(data))]
    a, b = fit_pca(data), fit_pca(shuffled)
    assert np.allclose(a.components, b.components, atol=1e-8)
    for axis in a.components:
        assert axis[np.argmax(np.abs(axis))] > 0


def test_single_row_and_identical_rows_map_to_the_origin():
    one = fit_pca(np.ones((1, 4)))
    assert np.allclose(one.transform(np.ones((1, 4))), 0)
    assert one.explained == (0.0, 0.0)
    same = fit_pca(np.tile([1.0, 2.0, 3.0], (6, 1)))
    assert np.allclose(same.transform(np.tile([1.0, 2.0, 3.0], (6, 1))), 0)


def test_points_on_a_line_use_one_axis_only():
    t = np.linspace(-1, 1, 9)[:, None]
    data = t * np.array([[3.0, 4.0, 0.0]])
    proj = fit_pca(data)
    coords = proj.transform(data)
    assert np.allclose(np.abs(coords[:, 0]), np.abs(t[:, 0]) * 5.0)
    assert np.allclose(coords[:, 1], 0)
    assert proj.explained == pytest.approx((1.0, 0.0))


def test_no_rows_make_an_empty_map_and_bad_input_is_rejected_with_a_clear_message():
    empty = fit_pca(np.zeros((0, 3)))  # an empty FAQ set
    assert empty.transform(np.ones((2, 3))).tolist() == [[0.0, 0.0], [0.0, 0.0]] and empty.explained == (0.0, 0.0)
    with pytest.raises(ValueError, match="2-D"):
        fit_pca(np.zeros(3))
    with pytest.raises(ValueError, match="dimension 3"):
        fit_pca(np.eye(3)).transform(np.zeros((1, 4)))
