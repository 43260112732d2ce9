"""An application's look (issue 25, point 5; docs/branding.md): `branding` on POST and PATCH
/v1/admin/apps, each refusal (the primary colour's contrast on both sides of 4.5:1 against the
hosted pages' background, colours that are not one, logos that are not a still PNG or a static
SVG of at most 32768 bytes, both logos at once), the branding on the hosted pages (the logo in
the header with the application's name as alt text, the stylesheet link, the assets with their
types, ETag and 304, the SVG's sandbox), clearing it, and the code email's MIME structure with
the logo as an inline image part (Python's email package), through development delivery and the
webhook."""
import base64
import email
import email.policy
import json
import os
import re
import struct
import zlib
from pathlib import Path

import pytest

from factor_helpers import CODE_RE, User
from harness import assert_error, db_query
from test_delivery_webhook import Recorder

REPO = Path(__file__).resolve().parents[2]
BLUE = "#1a5fb4"
SVG_NS = 'xmlns="http://www.w3.org/2000/svg"'
SVG = f'<svg {SVG_NS} viewBox="0 0 120 40"><title>Acme</title><rect width="120" height="40" fill="{BLUE}"/></svg>'


def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width=120, height=40, noise=False, extra_chunks=b""):
    """An RGB PNG: one colour, or random pixels (which do not compress)."""
    rows = b"".join(b"\x00" + (os.urandom(3 * width) if noise else bytes([26, 95, 180]) * width) for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) + extra_chunks
            + _chunk(b"IDAT", zlib.compress(rows)) + _chunk(b"IEND", b""))


def b64(data):
    return base64.b64encode(data).decode()


def create(server, branding, name="Acme Pay", **kw):
    return server.post("/v1/admin/apps", admin=True, json={"name": name, "branding": branding, **kw})


def patch(server, app, body):
    return server.request("PATCH", f"/v1/admin/apps/{app['app_id']}", admin=True, json=body)


def refused(server, branding, field):
    return assert_error(create(server, branding), 400, "INVALID_FIELD", field)


# ---- the primary colour ----

def test_the_colour_needs_4_5_to_1_against_the_pages_background(shared_server):
    # #f5f7fa, the pages' background, is darker than white: #717171 is the lightest grey that
    # keeps 4.5:1 on it (4.55), #727272 does not (4.48); #767676, the boundary on white, fails here
    r = create(shared_server, {"primary_color": "#717171"})
    assert r.status_code == 201, r.text
    assert r.json()["branding"] == {"primary_color": "#717171", "logo": None}
    err = refused(shared_server, {"primary_color": "#727272"}, "branding.primary_color")
    assert "4.48:1" in err["message"] and "#f5f7fa" in err["message"] and "4.5:1" in err["message"], err
    err = refused(shared_server, {"primary_color": "#767676"}, "branding.primary_color")
    assert "4.23:1" in err["message"], err
    # a light colour: white text on its buttons would not be read
    err = refused(shared_server, {"primary_color": "#FFCC00"}, "branding.primary_color")
    assert "#ffcc00" in err["message"] and "white" in err["message"], err
    # the pages' own accent passes; the short form is answered long and lower-case
    assert create(shared_server, {"primary_color": "#1F5FBF"}).json()["branding"]["primary_color"] == "#1f5fbf"
    assert create(shared_server, {"primary_color": "#000"}).json()["branding"]["primary_color"] == "#000000"


def test_the_pages_background_is_the_one_the_rule_measures_against():
    css = (REPO / "src/hosted/assets/style.css").read_text()
    body = re.search(r"^body \{[^}]*background: (#[0-9a-f]{6});", css, re.M)
    assert body and body.group(1) == "#f5f7fa", "core/contrast.c's surfaces must follow style.css"
    assert re.search(r"^button, a\.button \{[^}]*background: var\(--accent\); color: #fff;", css, re.M)


@pytest.mark.parametrize("color", ["1a5fb4", "#1a5fb", "#1a5fb4ff", "blue", "#1a5fb4 ", " #1a5fb4", "#ggg", "", 4, True,
                                   ["#1a5fb4"]])
def test_what_is_not_a_colour_is_refused(shared_server, color):
    err = refused(shared_server, {"primary_color": color}, "branding.primary_color")
    assert "#rrggbb" in err["message"]


# ---- the logo ----

def test_a_logo_that_is_no_png_is_refused(shared_server):
    gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
    err = refused(shared_server, {"logo_png_base64": b64(gif)}, "branding.logo_png_base64")
    assert "not a PNG" in err["message"], err
    refused(shared_server, {"logo_png_base64": b64(png() + b"<html>")}, "branding.logo_png_base64")  # after IEND
    refused(shared_server, {"logo_png_base64": b64(png(2049, 1))}, "branding.logo_png_base64")
    actl = _chunk(b"acTL", struct.pack(">II", 2, 0))
    err = refused(shared_server, {"logo_png_base64": b64(png(extra_chunks=actl))}, "branding.logo_png_base64")
    assert "animated" in err["message"], err
    for text in ("not base64!", "data:image/png;base64," + b64(png()), b64(png())[:-2], "", 42):
        refused(shared_server, {"logo_png_base64": text}, "branding.logo_png_base64")


def test_an_oversized_logo_is_refused(shared_server):
    big = png(110, 100, noise=True)  # 33 000 bytes of random pixels: over 32768, inside the 64 KiB body
    assert 32768 < len(big) < 47000
    err = refused(shared_server, {"logo_png_base64": b64(big)}, "branding.logo_png_base64")
    assert "32768" in err["message"], err
    err = refused(shared_server, {"logo_svg": SVG.replace("<title>", "<!--" + "x" * 33000 + "--><title>")},
                  "branding.logo_svg")
    assert "32768" in err["message"], err
    # past the body limit the request is not read at all
    assert_error(create(shared_server, {"logo_png_base64": b64(png(160, 160, noise=True))}), 413, "BODY_TOO_LARGE")


def test_base64_may_have_line_breaks(shared_server):
    text = base64.encodebytes(png(300, 40)).decode()  # 76-character lines, as base64(1) writes them
    r = create(shared_server, {"logo_png_base64": text})
    assert r.status_code == 201, r.text
    assert r.json()["branding"]["logo"]["bytes"] == len(png(300, 40))


SVG_REFUSALS = {
    "script": f"<svg {SVG_NS}><script>alert(document.cookie)</script></svg>",
    "onload": f'<svg {SVG_NS} onload="alert(1)"><rect width="1" height="1"/></svg>',
    "foreignObject": f"<svg {SVG_NS}><foreignObject><div xmlns=\"http://www.w3.org/1999/xhtml\">hi</div></foreignObject></svg>",
    "external href": f'<svg {SVG_NS} xmlns:xlink="http://www.w3.org/1999/xlink"><image xlink:href="https://evil.example/x.png"/></svg>',
    "javascript href": f'<svg {SVG_NS}><a href="javascript:alert(1)"><rect width="1" height="1"/></a></svg>',
    "external url()": f'<svg {SVG_NS}><rect width="1" height="1" style="fill:url(https://evil.example/p.svg#a)"/></svg>',
    "css import": f"<svg {SVG_NS}><style>@import url(https://evil.example/a.css);</style></svg>",
    "doctype entity": f'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><svg {SVG_NS}><text>&xxe;</text></svg>',
    "doctype": f'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd"><svg {SVG_NS}/>',
    "xml-stylesheet": f'<?xml-stylesheet type="text/xsl" href="https://evil.example/a.xsl"?><svg {SVG_NS}/>',
    "animation": f'<svg {SVG_NS}><set attributeName="fill" to="red"/></svg>',
    "html script": f'<svg {SVG_NS}><h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script></svg>',
    "not well-formed": f"<svg {SVG_NS}><rect></svg>",
    "not svg": "<html><body>hi</body></html>",
    "no namespace": "<svg><rect/></svg>",
}


@pytest.mark.parametrize("kind", list(SVG_REFUSALS))
def test_an_svg_that_could_run_or_load_anything_is_refused(shared_server, kind):
    err = refused(shared_server, {"logo_svg": SVG_REFUSALS[kind]}, "branding.logo_svg")
    assert err["message"].startswith("branding.logo_svg is refused: "), err


def test_one_logo_at_most_and_nothing_unknown(shared_server):
    err = refused(shared_server, {"logo_png_base64": b64(png()), "logo_svg": SVG}, "branding")
    assert "not both" in err["message"], err
    refused(shared_server, {"primary_color": BLUE, "logo_url": "https://cdn.example/logo.png"}, "branding")
    refused(shared_server, "#1a5fb4", "branding")
    refused(shared_server, [BLUE], "branding")


# ---- saved, shown, replaced, cleared ----

def test_the_view_answers_the_logos_address_and_size(server):
    logo = png()
    app = create(server, {"primary_color": "#1A5FB4", "logo_png_base64": b64(logo)}).json()
    assert app["branding"] == {"primary_color": BLUE, "logo": {
        "type": "png", "url": f"{server.base_url}/assets/brand/{app['app_id']}/logo.png", "bytes": len(logo)}}
    # PATCH replaces the branding whole: a colour alone leaves no logo
    r = patch(server, app, {"branding": {"primary_color": "#000000"}})
    assert r.status_code == 200, r.text
    assert r.json()["branding"] == {"primary_color": "#000000", "logo": None}
    r = patch(server, app, {"branding": {"logo_svg": SVG}})
    assert r.json()["branding"] == {"primary_color": None, "logo": {
        "type": "svg", "url": f"{server.base_url}/assets/brand/{app['app_id']}/logo.svg", "bytes": len(SVG)}}
    # a refused change leaves what was saved
    assert_error(patch(server, app, {"branding": {"primary_color": "#777777", "logo_svg": SVG}}), 400, "INVALID_FIELD",
                 "branding.primary_color")
    assert server.get(f"/assets/brand/{app['app_id']}/logo.svg").text == SVG
    # other settings leave it alone
    r = patch(server, app, {"enabled_factor_types": ["sms", "email"]})
    assert r.json()["branding"]["logo"]["type"] == "svg"
    rows = db_query(server, "SELECT details FROM audit_events WHERE type = 'app.settings_changed' ORDER BY seq")
    assert [json.loads(r["details"]) for r in rows] == [{"settings": ["branding"]}] * 2 + [
        {"settings": ["enabled_factor_types"]}]
    # no branding: null
    assert server.make_app()["branding"] is None


@pytest.mark.parametrize("clear", [None, {}])
def test_clearing_the_branding_puts_the_pages_back(server, clear):
    app = create(server, {"primary_color": BLUE, "logo_png_base64": b64(png())}).json()
    r = patch(server, app, {"branding": clear})
    assert r.status_code == 200, r.text
    assert r.json()["branding"] is None
    page = login_page(server, app)
    assert "/assets/brand/" not in page.text and 'class="logo"' not in page.text
    assert '<span class="app">Acme Pay</span>' in page.text
    for name in ("logo.png", "style.css"):
        assert server.get(f"/assets/brand/{app['app_id']}/{name}").status_code == 404


# ---- on the hosted pages ----

def login_page(server, app):
    r = server.get(f"/login?client_id={app['client_id']}")
    assert r.status_code == 200, r.text
    return r


def test_the_pages_show_the_logo_and_link_the_colour(server):
    logo = png()
    app = create(server, {"primary_color": BLUE, "logo_png_base64": b64(logo)}, name="Acme & Sons <Pay>").json()
    page = login_page(server, app)
    base = f"/assets/brand/{app['app_id']}"
    assert f'<img class="logo" src="{base}/logo.png" alt="Acme &amp; Sons &lt;Pay&gt;">' in page.text
    assert page.text.index('href="/assets/style.css"') < page.text.index(f'<link rel="stylesheet" href="{base}/style.css">')
    # the policy is as strict as ever: the assets come from twofold's own origin
    csp = page.headers["Content-Security-Policy"]
    assert "style-src 'self';" in csp and "img-src 'self' data:;" in csp and "unsafe" not in csp

    r = server.get(base + "/logo.png")
    assert r.status_code == 200 and r.content == logo
    assert r.headers["Content-Type"] == "image/png" and r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Cache-Control"] == "no-cache" and re.fullmatch(r'"[0-9a-f]{32}"', r.headers["ETag"])
    etag = r.headers["ETag"]
    for sent in (etag, "W/" + etag, f'"0000", {etag}', "*"):
        again = server.get(base + "/logo.png", headers={"If-None-Match": sent})
        assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == etag, sent
    assert server.get(base + "/logo.png", headers={"If-None-Match": '"0000"'}).status_code == 200

    css = server.get(base + "/style.css")
    assert css.status_code == 200 and css.headers["Content-Type"] == "text/css; charset=utf-8"
    assert f"--accent: {BLUE};" in css.text and css.headers["X-Content-Type-Options"] == "nosniff"
    assert server.get(base + "/style.css", headers={"If-None-Match": css.headers["ETag"]}).status_code == 304
    assert css.headers["ETag"] != etag

    # what the application does not have, or no application, is not found
    for path in (base + "/logo.svg", base + "/favicon.ico", "/assets/brand/app_aaaaaaaaaaaaaaaaaaaaaaaaaa/logo.png"):
        assert server.get(path).status_code == 404, path


def test_an_svg_logo_is_served_sandboxed(server):
    app = create(server, {"logo_svg": SVG}).json()
    page = login_page(server, app)
    base = f"/assets/brand/{app['app_id']}"
    assert f'<img class="logo" src="{base}/logo.svg" alt="Acme Pay">' in page.text
    assert f"{base}/style.css" not in page.text  # no colour, no stylesheet
    r = server.get(base + "/logo.svg")
    assert r.status_code == 200 and r.text == SVG
    assert r.headers["Content-Type"] == "image/svg+xml" and r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    assert server.get(base + "/style.css").status_code == 404
    assert server.get(base + "/logo.png").status_code == 404


def test_pages_of_an_application_without_branding_are_as_before(server):
    app = server.make_app(name="Plain Pay")
    page = login_page(server, app)
    assert '<header class="top"><span class="app">Plain Pay</span>' in page.text
    assert '<link rel="stylesheet" href="/assets/style.css">\n</head>' in page.text
    assert "/assets/brand/" not in page.text


# ---- in the code emails ----

def email_of(server, app):
    user = User(server, app)
    r = user.post("/v1/factors", json={"type": "email"})
    assert r.status_code == 201, r.text
    [m] = server.wait_for_messages(1, where=lambda m: m["channel"] == "email" and m["to"] == user.user["email"])
    return m


def assert_no_remote_content(html):
    lowered = html.lower()
    assert not re.search(r"https?:|//[a-z0-9]", lowered), html
    assert "data:" not in lowered and "<link" not in lowered and "<script" not in lowered and "url(" not in lowered


def test_the_email_shows_the_png_logo_inline_and_the_code_in_the_colour(server):
    logo = png()
    app = create(server, {"primary_color": BLUE, "logo_png_base64": b64(logo)}).json()
    m = email_of(server, app)
    msg = email.message_from_string(m["mime"], policy=email.policy.default)
    # RFC 2387: the HTML and the image it shows are one multipart/related, the HTML alternative
    assert msg.get_content_type() == "multipart/alternative"
    text_part, related = msg.iter_parts()
    assert text_part.get_content_type() == "text/plain" and related.get_content_type() == "multipart/related"
    assert related.get_param("type") == "text/html"
    html_part, image = related.iter_parts()
    assert html_part.get_content_type() == "text/html" and image.get_content_type() == "image/png"
    assert image["Content-ID"] == "<logo@twofold>" and image.get_content_disposition() == "inline"
    assert image.get_content() == logo
    html = html_part.get_content()
    assert '<img src="cid:logo@twofold" alt="Acme Pay"' in html
    assert_no_remote_content(html)
    code = CODE_RE.search(text_part.get_content()).group(1)
    assert re.search(rf'<span style="[^"]*color:{BLUE}">{code}</span>', html), html
    # the text is as without branding
    assert re.fullmatch(r"Acme Pay: your code is \d{6}\. It expires in 5 minutes\.\n\n.*\n", text_part.get_content(), re.S)
    assert m["inline_image"] == {"content_id": "logo@twofold", "content_type": "image/png", "filename": "logo.png",
                                 "data_base64": b64(logo)}


def test_an_svg_logo_stays_out_of_emails(server):
    app = create(server, {"primary_color": BLUE, "logo_svg": SVG}).json()
    m = email_of(server, app)
    msg = email.message_from_string(m["mime"], policy=email.policy.default)
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    html = msg.get_body(("html",)).get_content()
    assert "<img" not in html and f"color:{BLUE}" in html and "inline_image" not in m
    assert_no_remote_content(html)


def test_an_email_without_branding_is_as_before(server):
    m = email_of(server, server.make_app(name="Plain Pay"))
    msg = email.message_from_string(m["mime"], policy=email.policy.default)
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    html = msg.get_body(("html",)).get_content()
    assert "<img" not in html and "color:" not in html and "inline_image" not in m


def test_the_webhook_receives_the_logo_with_the_email(start_server):
    rec = Recorder()
    try:
        srv = start_server(args=["--delivery", "webhook", "--webhook-url", f"http://127.0.0.1:{rec.port}/messages"],
                           env={"TWOFOLD_WEBHOOK_SECRET": "whsec_brand"})
        logo = png()
        app = create(srv, {"primary_color": BLUE, "logo_png_base64": b64(logo)}).json()
        user = User(srv, app)
        assert user.post("/v1/factors", json={"type": "email"}).status_code == 201
        [(_, body)] = rec.wait(1)
        m = json.loads(body)
        assert m["channel"] == "email" and 'src="cid:logo@twofold"' in m["html"]
        assert m["inline_image"]["content_id"] == "logo@twofold"
        assert base64.b64decode(m["inline_image"]["data_base64"]) == logo
    finally:
        rec.close()
