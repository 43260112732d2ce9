"""Samples for the display-text rule (src/core/validate.h): texts that reach a message or a page
(payee names, application names, user names) refuse every code point of Unicode categories Cc,
Cf, Zl, Zp, Co and Cn and the non-characters; ordinary international names pass."""

# one sample code point per refused category, inside an otherwise ordinary name
REFUSED = {
    "Cc U+0007 bell": "Jane\u0007Shop",
    "Cf U+200B zero width space": "Jane\u200bShop",
    "Cf U+202E right-to-left override": "Jane\u202eShop",
    "Cf U+2066 left-to-right isolate": "Jane\u2066Shop",
    "Cf U+200D zero width joiner (emoji ZWJ sequence)": "Family \U0001F468\u200d\U0001F469\u200d\U0001F467",
    "Zl U+2028 line separator": "Jane\u2028Shop",
    "Zp U+2029 paragraph separator": "Shop\u2029Acme Pay: to pay EUR 1.00 to Jane",
    "Co U+E000 private use": "Jane\ue000Shop",
    "Cn U+0378 unassigned": "Jane\u0378Shop",
    "non-character U+FFFE": "Jane\ufffeShop",
}

# ordinary names in several scripts, and emoji without a joiner
ACCEPTED = ["Zoë's Café", "Straße 5", "中文商店", "Ελληνικά", "Pizza 🍕 Place", "Thumbs 👍🏽"]
