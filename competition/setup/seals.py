"""The check of an uploaded seal image: a transparent PNG of a sensible size.

Pure (Pillow only): ``seal_problems(data)`` lists every problem as a Chinese
message, empty when the image is fit to print on the certificates.
"""

from __future__ import annotations

import io

MAX_BYTES = 2 * 1024 * 1024
MIN_SIDE = 200
MAX_SIDE = 2000
MAX_RATIO = 1.5  # longer side / shorter side: a seal is round or square
MIN_TRANSPARENT = 0.10  # share of (nearly) transparent pixels: the paper must show through
MIN_INK = 0.01  # share of (nearly) opaque pixels: something must be printed
CLEAR, SOLID = 16, 128


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(1, round(n / 1024))} KB"


def seal_problems(data: bytes) -> list[str]:
    """Every reason ``data`` cannot serve as a seal image, in Chinese (empty: fit)."""
    from PIL import Image, UnidentifiedImageError

    if not data:
        return ["印章图片：文件是空的，请重新选择。"]
    problems: list[str] = []
    if len(data) > MAX_BYTES:
        problems.append(f"印章图片：文件不得超过 {_size(MAX_BYTES)}（当前 {_size(len(data))}）。")
    try:
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        return [*problems, f"印章图片：宽和高都应在 {MIN_SIDE} 到 {MAX_SIDE} 像素之间（这张图片大得无法处理）。"]
    except (UnidentifiedImageError, OSError, ValueError):
        return [*problems, "印章图片：无法识别的图片文件，请上传 PNG 格式的透明背景图片。"]
    with image:
        if image.format != "PNG":
            problems.append(f"印章图片：必须是 PNG 格式（当前为 {image.format or '未知'} 格式）。")
        width, height = image.size
        if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
            problems.append(
                f"印章图片：宽和高都应在 {MIN_SIDE} 到 {MAX_SIDE} 像素之间（当前 {width}×{height}）。"
            )
        elif max(width, height) / min(width, height) > MAX_RATIO:
            problems.append(
                f"印章图片：应接近正方形（长边不超过短边的 {MAX_RATIO} 倍，当前 {width}×{height}）。"
            )
        has_alpha = image.mode in ("RGBA", "LA", "PA") or (
            image.mode == "P" and "transparency" in image.info
        ) or (image.mode in ("RGB", "L") and "transparency" in image.info)
        if not has_alpha:
            problems.append("印章图片：没有透明通道，请导出为透明背景的 PNG（不要白色或其他底色）。")
            return problems
        if problems:  # too large or not a PNG: do not decode it
            return problems
        try:
            alpha = image.convert("RGBA").getchannel("A")
        except (OSError, ValueError):
            return ["印章图片：图片文件已损坏，无法读取。"]
    histogram = alpha.histogram()
    total = width * height
    clear = sum(histogram[:CLEAR]) / total
    solid = sum(histogram[SOLID:]) / total
    if clear < MIN_TRANSPARENT:
        problems.append(
            f"印章图片：背景不透明（透明部分只占 {clear:.0%}），请去掉底色后导出为透明背景的 PNG。"
        )
    if solid < MIN_INK:
        problems.append("印章图片：图片几乎完全透明，看不到印章图案。")
    return problems
