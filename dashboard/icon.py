"""The app's icon, drawn here: a Material or emoji page icon makes the browser fetch it from
an outside server (fonts.gstatic.com), and nothing on an Interlude page may call out."""

from __future__ import annotations

import numpy as np
from PIL import Image

TEAL = (47, 125, 121)


def app_icon(size: int = 64) -> Image.Image:
    """A teal disc with a light leaf-shaped centre (RGBA)."""
    y, x = np.mgrid[0:size, 0:size] / (size - 1) * 2 - 1
    image = np.zeros((size, size, 4), dtype=np.uint8)
    disc = x ** 2 + y ** 2 <= 1
    image[disc] = (*TEAL, 255)
    leaf = (np.abs(x) ** 1.5 + np.abs(y * 0.62) ** 1.5 <= 0.35) & disc
    image[leaf] = (251, 250, 247, 255)
    return Image.fromarray(image, "RGBA")
