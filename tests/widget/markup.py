"""Markup a shop owner pastes, built for test seals."""
from seal_server.seals import service


def badge_div(seal, **data):
    """The widget markup for `seal`; extra data-* attributes from keyword arguments."""
    extra = "".join(f' data-{name}="{value}"' for name, value in data.items())
    return (f'<div class="seal-badge" data-seal-id="{seal.public_id}" '
            f'data-seal-code="{service.code_for(seal)}"{extra}></div>')


def script_tag(src, **data):
    extra = "".join(f' data-{name}="{value}"' for name, value in data.items())
    return f'<script src="{src}" async{extra}></script>'



def recommended(seal, **data):
    """The markup we tell shop owners to paste: the widget div around the plain snippet."""
    return badge_div(seal, **data).replace("></div>", f">{snippet(seal)}</div>")


def snippet(seal, lang="fa"):
    """The plain snippet as text (a Markup would escape whatever it is joined to)."""
    return str(service.snippet(seal, lang))
