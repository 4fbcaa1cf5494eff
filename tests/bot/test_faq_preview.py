"""bot.faq_preview: SMS encoding, units and segments of an answer with its links (counted by
hand below, not by the code under test), the characters that force UCS-2, Telegram's limit."""
from __future__ import annotations

from bot.faq_content import answer_with_links
from bot.faq_preview import preview_answer, preview_version

LINK = [{"title": "Bins", "url": "https://x.gov/b"}]  # "\nBins: https://x.gov/b" = 22 characters


def test_a_gsm7_answer_with_its_link_in_one_segment() -> None:
    preview = preview_answer("en", "a" * 138, LINK)
    assert preview.text == "a" * 138 + "\nBins: https://x.gov/b"
    assert (preview.encoding, preview.characters, preview.units, preview.segments) == ("GSM-7", 160, 160, 1)
    assert preview.non_gsm_characters == [] and len(preview.sms_messages) == 1


def test_one_more_character_takes_two_segments() -> None:
    preview = preview_answer("en", "a" * 139, LINK)
    assert (preview.units, preview.segments) == (161, 2)  # 153 + 8


def test_extension_characters_count_twice() -> None:
    preview = preview_answer("en", "Costs €35 [cash]", [])
    assert (preview.encoding, preview.characters, preview.units) == ("GSM-7", 16, 19)


def test_one_accent_outside_gsm7_makes_it_ucs2_and_is_named() -> None:
    text = "Sí, recogemos la basura los martes; también el reciclaje."  # é is in GSM-7, í is not
    preview = preview_answer("es", text, [])
    assert preview.encoding == "UCS-2" and preview.non_gsm_characters == ["í"]
    assert (preview.units, preview.segments) == (len(text), 1)
    long_text = "ã" * 71  # UCS-2 holds 70 in one segment, 67 per part
    assert preview_answer("pt", long_text, []).segments == 2


def test_long_answers_become_several_sms_messages_of_at_most_three_segments() -> None:
    sentence = "Bins go out by seven on collection day. "
    preview = preview_answer("en", sentence * 20, [])  # 800 characters: more than 3 x 153
    assert len(preview.sms_messages) == 2
    assert all(message.segments <= 3 for message in preview.sms_messages)
    assert preview.sms_messages[0].text.endswith(".")  # cut at a sentence end


def test_telegram_limit_and_webchat_paragraphs() -> None:
    assert not preview_answer("en", "x" * 4097, []).telegram_fits
    preview = preview_answer("en", "Line one.", LINK)
    assert preview.telegram_fits and preview.webchat_paragraphs == ["Line one.", "Bins: https://x.gov/b"]


def test_a_version_is_previewed_in_each_language_with_an_answer() -> None:
    previews = preview_version({"en": "Hi.", "es": "", "nl": "Hallo."}, [], ["en", "es", "pt", "nl"])
    assert [p.language for p in previews] == ["en", "nl"]


def test_answer_with_links_skips_links_without_url() -> None:
    links = [{"title": "A", "url": "https://a"}, {"title": "B", "url": ""}, {"url": "https://c"}]
    assert answer_with_links(" Answer. ", links) == "Answer.\nA: https://a\nhttps://c"
