"""Templates: one Chinese template per event, every placeholder in its data contract, SMS in one segment."""

import pytest

from notifications.outbox import enqueue
from notifications.templates import SMS_SEGMENT_CHARS, SMS_SIGNATURE, Template, TemplateError, format_text, sms_segments
from notifications.templates_zh import TEMPLATES

# The events the issue names, one template each.
EVENTS = [
    "verification_code",
    "application.submitted",
    "application.accepted",
    "application.correction_requested",
    "application.approved",
    "application.rejected",
    "payment.due",
    "payment.received",
    "payment.refunded",
    "shipment.created",
    "shipment.out_for_delivery",
    "shipment.delivered",
    "shipment.failed",
    "appointment.booked",
    "appointment.reminder",
    "appointment.cancelled",
    "appointment.called",
    "evaluation.invitation",
    "evaluation.invitation_appointment",
    "evaluation.replied",
    "evaluation.reminder",
    "data_correction.answered",
]


def test_every_event_of_the_issue_has_a_template_and_no_template_is_extra():
    assert sorted(TEMPLATES) == sorted(EVENTS)


@pytest.mark.parametrize("event", EVENTS)
def test_every_placeholder_of_a_template_is_in_its_data_contract_and_every_contract_field_is_used(event):
    template = TEMPLATES[event]
    assert template.fields == set(template.sample), f"{event}: texts use {template.fields}, contract is {set(template.sample)}"


@pytest.mark.parametrize("event", EVENTS)
def test_every_template_renders_with_its_sample_into_chinese_texts_without_braces(event):
    rendered = TEMPLATES[event].render(TEMPLATES[event].sample)
    for text in (rendered.title, rendered.body, rendered.sms):
        assert text and "{" not in text and "}" not in text
        assert any("\u4e00" <= char <= "\u9fff" for char in text)


@pytest.mark.parametrize("event", EVENTS)
def test_every_sms_starts_with_the_signature_and_fits_one_70_character_segment(event):
    sms = TEMPLATES[event].render(TEMPLATES[event].sample).sms
    assert sms.startswith(SMS_SIGNATURE) and SMS_SIGNATURE == "【一次办】"
    assert len(sms) <= SMS_SEGMENT_CHARS, f"{event}: {len(sms)} characters: {sms}"


def test_a_template_with_an_unknown_placeholder_fails_when_rendered_with_its_contract():
    broken = Template(event="x", title="标题", body="您的{bundle_nmae}申请", sample={"bundle_name": "开办餐饮店"})
    assert broken.fields != set(broken.sample)  # the contract test above catches it …
    with pytest.raises(TemplateError, match="bundle_nmae"):  # … and so does rendering
        broken.render(broken.sample)


def test_enqueue_refuses_data_that_misses_a_field_of_the_contract_so_the_callers_test_fails(sqlite_store):
    data = dict(TEMPLATES["application.accepted"].sample)
    del data["promised_days"]
    with pytest.raises(TemplateError, match="promised_days"):
        enqueue(sqlite_store, "application.accepted", "acc-1", data, "k-1")
    assert sqlite_store["outbox"].count_documents({}) == 0


def test_enqueue_refuses_an_event_without_a_template(sqlite_store):
    with pytest.raises(TemplateError, match="no template"):
        enqueue(sqlite_store, "application.teleported", "acc-1", {}, "k-1")


def test_amounts_in_fen_are_shown_in_yuan_with_two_decimals():
    assert format_text("{a:yuan}", {"a": 1234567}) == "12345.67元"
    assert format_text("{a:yuan}", {"a": 5}) == "0.05元"


def test_an_amount_that_is_not_integer_fen_is_refused():
    with pytest.raises(TemplateError):
        format_text("{a:yuan}", {"a": 12.5})


def test_times_are_shown_in_shanghai_time():
    assert format_text("{t:time}", {"t": "2026-05-03T16:30:00.000Z"}) == "5月4日00:30"
    assert format_text("{t:date}", {"t": "2026-05-03T16:30:00.000Z"}) == "5月4日"


@pytest.mark.parametrize("text", ["{a.__class__}", "{a[0]}", "{a!r}", "{a:>10}"])
def test_attribute_access_indexing_conversions_and_foreign_formats_are_refused(text):
    with pytest.raises(TemplateError):
        format_text(text, {"a": "x"})


def test_a_long_text_is_counted_in_67_character_segments():
    assert sms_segments("字" * 70) == 1
    assert sms_segments("字" * 71) == 2
    assert sms_segments("字" * 135) == 3
