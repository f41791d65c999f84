"""QR codes as inline SVG, drawn by the `qrcode` library (no Pillow needed), imported at
the first code drawn: 4.5 MiB a worker that serves no kiosk never needs."""
from functools import lru_cache


@lru_cache(maxsize=256)
def svg(url: str) -> str:
    """The QR code of `url` as an <svg> element, without its XML declaration.

    Error correction M survives a scratched or glare-struck kiosk screen; the 4-module quiet
    zone is what phone cameras need to find the code.
    """
    import qrcode
    import qrcode.image.svg

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4,
                         image_factory=qrcode.image.svg.SvgPathImage)
    code.add_data(url)
    code.make(fit=True)
    return code.make_image().to_string(encoding="unicode").split("?>", 1)[-1]
