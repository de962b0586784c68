"""The Chinese texts, one template per event. Samples are deliberately long (the longest bundle and
hall names of the seed catalogue) so that the SMS length test holds for real data."""

from __future__ import annotations

from .templates import Template

_APPLICATION = {
    "application_id": "app_0123456789abcdefghijkl",
    "application_no": "YC20260503000123",
    "bundle_name": "不动产转移登记一件事",
}
_PAYMENT = {**_APPLICATION, "amount_fen": 1234567}
_DELIVERED = {"application_id": _APPLICATION["application_id"], "waybill_no": "EA123456785CN"}
_SHIPMENT = {**_DELIVERED, "pickup_code": "482913"}
_APPOINTMENT = {
    "appointment_id": "apt_0123456789abcdefghijkl",
    "hall_name": "株洲市民中心政务服务大厅",
    "service_name": "公众聚集场所营业前消防安全检查",
    "starts_at": "2026-05-03T06:30:00.000Z",
}
_APPLICATION_LINK = "/applications/{application_id}"


def _t(event: str, **kwargs) -> tuple[str, Template]:
    return event, Template(event=event, **kwargs)


TEMPLATES: dict[str, Template] = dict(
    [
        _t(
            "verification_code",
            title="验证码",
            body="您的验证码是{code}，{minutes}分钟内有效。",
            sms="您的验证码是{code}，{minutes}分钟内有效。工作人员不会索要验证码，请勿告诉他人。",
            sample={"code": "482913", "minutes": 5},
            urgent=True,
            account_channels=False,
            secret_fields=("code",),
        ),
        _t(
            "application.submitted",
            title="申请已提交",
            body="您的「{bundle_name}」申请（编号{application_no}）已提交，我们会尽快受理。",
            sms="您的「{bundle_name}」申请已提交，编号{application_no}，受理后将另行通知。",
            link=_APPLICATION_LINK,
            sample=_APPLICATION,
        ),
        _t(
            "application.accepted",  # 受理
            title="申请已受理",
            body="您的「{bundle_name}」申请（编号{application_no}）已受理，承诺{promised_days}个工作日内办结。",
            sms="您的「{bundle_name}」申请已受理，编号{application_no}，承诺{promised_days}个工作日内办结。",
            link=_APPLICATION_LINK,
            sample={**_APPLICATION, "promised_days": 15},
        ),
        _t(
            "application.correction_requested",  # 补正
            title="申请需要补正",
            body="您的「{bundle_name}」申请（编号{application_no}）需要补正：{reason}。请在{deadline:date}前补正。",
            sms="您的「{bundle_name}」申请需补正材料，请于{deadline:date}前登录一次办查看并补正。",
            link=_APPLICATION_LINK,
            sample={**_APPLICATION, "reason": "房屋平面图不清晰，请重新上传", "deadline": "2026-05-20T15:59:59.000Z"},
        ),
        _t(
            "application.approved",  # 办结
            title="申请已办结",
            body="您的「{bundle_name}」申请（编号{application_no}）已办结，证照已存入您的电子证照夹。",
            sms="您的「{bundle_name}」申请已办结，编号{application_no}，电子证照可在一次办查看。",
            link=_APPLICATION_LINK,
            sample=_APPLICATION,
        ),
        _t(
            "application.rejected",  # 不予许可
            title="申请未通过",
            body="很抱歉，您的「{bundle_name}」申请（编号{application_no}）未通过，原因：{reason}。",
            sms="很抱歉，您的「{bundle_name}」申请未通过，编号{application_no}，原因请在一次办查看。",
            link=_APPLICATION_LINK,
            sample={**_APPLICATION, "reason": "经营场所不符合食品安全距离要求"},
        ),
        _t(
            "payment.due",
            title="待缴费",
            body="您的「{bundle_name}」申请（编号{application_no}）需缴费{amount_fen:yuan}，请在{due_at:date}前完成支付。",
            sms="您的「{bundle_name}」申请需缴费{amount_fen:yuan}，请于{due_at:date}前在一次办完成支付。",
            link=_APPLICATION_LINK,
            sample={**_PAYMENT, "due_at": "2026-05-10T15:59:59.000Z"},
        ),
        _t(
            "payment.received",
            title="缴费成功",
            body="已收到您为「{bundle_name}」（编号{application_no}）缴纳的{amount_fen:yuan}，电子票据可在订单中查看。",
            sms="已收到您为「{bundle_name}」缴纳的{amount_fen:yuan}，电子票据可在一次办查看。",
            link=_APPLICATION_LINK,
            sample=_PAYMENT,
        ),
        _t(
            "payment.refunded",
            title="已退款",
            body="您为「{bundle_name}」（编号{application_no}）缴纳的{amount_fen:yuan}已退款，将原路退回，请留意到账。",
            sms="您为「{bundle_name}」缴纳的{amount_fen:yuan}已退款，将原路退回，请留意到账。",
            link=_APPLICATION_LINK,
            sample=_PAYMENT,
        ),
        _t(
            "shipment.created",
            title="办理结果已寄出",
            body="您的「{bundle_name}」办理结果已交EMS寄出，运单号{waybill_no}，取件码{pickup_code}，签收时请出示。",
            sms="您的办理结果已由EMS寄出，运单号{waybill_no}，签收时请出示取件码{pickup_code}。",
            link=_APPLICATION_LINK,
            sample={**_SHIPMENT, "bundle_name": _APPLICATION["bundle_name"]},
        ),
        _t(
            "shipment.out_for_delivery",
            title="邮件派送中",
            body="您的EMS邮件{waybill_no}正在派送，签收时请向投递员出示取件码{pickup_code}。",
            sms="您的EMS邮件{waybill_no}正在派送，请保持电话畅通，签收时出示取件码{pickup_code}。",
            link=_APPLICATION_LINK,
            sample=_SHIPMENT,
        ),
        _t(
            "shipment.delivered",
            title="邮件已签收",
            body="您的EMS邮件{waybill_no}已签收。如非本人签收，请及时在一次办反馈。",
            sms="您的EMS邮件{waybill_no}已签收，如非本人签收请及时在一次办反馈。",
            link=_APPLICATION_LINK,
            sample=_DELIVERED,
        ),
        _t(
            "shipment.failed",
            title="邮件投递未成功",
            body="您的EMS邮件{waybill_no}投递未成功：{reason}。投递员将再次派送，您也可改为到大厅自取。",
            sms="您的EMS邮件{waybill_no}投递未成功，将再次派送，详情请在一次办查看。",
            link=_APPLICATION_LINK,
            sample={**_DELIVERED, "reason": "收件人电话无人接听"},
        ),
        _t(
            "appointment.booked",
            title="预约成功",
            body="您已预约{starts_at:time}到{hall_name}办理「{service_name}」，请携带身份证按时到达。",
            sms="您已预约{starts_at:time}到{hall_name}办理业务，请携带身份证按时到达。",
            link="/appointments/{appointment_id}",
            sample=_APPOINTMENT,
        ),
        _t(
            "appointment.reminder",
            title="预约提醒",
            body="提醒：您预约了{starts_at:time}到{hall_name}办理「{service_name}」，请携带身份证按时到达。",
            sms="提醒：您预约了{starts_at:time}到{hall_name}办理业务，请携带身份证按时到达。",
            link="/appointments/{appointment_id}",
            sample=_APPOINTMENT,
        ),
        _t(
            "appointment.cancelled",
            title="预约已取消",
            body="您{starts_at:time}在{hall_name}办理「{service_name}」的预约已取消。",
            sms="您{starts_at:time}在{hall_name}的预约已取消，如需办理请重新预约。",
            link="/appointments/{appointment_id}",
            sample=_APPOINTMENT,
        ),
        _t(
            "evaluation.invitation",  # 好差评
            title="请评价本次服务",
            body="您的「{bundle_name}」（编号{application_no}）已办结，请为本次服务评价，您的意见将帮助我们改进。",
            sms="您的「{bundle_name}」已办结，欢迎在一次办为本次服务评价。",
            link=_APPLICATION_LINK,  # the application page carries the rating card
            sample=_APPLICATION,
        ),
    ]
)

# Appended by the appointments feature (api/appointments): the visitor is called to a window (叫号). Urgent:
# the hall is open and the window is waiting, so it is not held back by quiet hours.
TEMPLATES["appointment.called"] = Template(
    event="appointment.called",
    title="请到窗口办理",
    body="请{ticket_number}号到{window_name}办理业务（{hall_name}）。",
    sms="请{ticket_number}号到{hall_name}{window_name}办理业务。",
    link="/appointments/{appointment_id}",
    sample={
        "appointment_id": _APPOINTMENT["appointment_id"],
        "hall_name": _APPOINTMENT["hall_name"],
        "ticket_number": "A023",
        "window_name": "一楼A01窗口（不动产登记）",
    },
    urgent=True,
)

# Appended by the applications feature (api/applications/corrections.py): a department answered a
# "信息有误" request on a value it holds (fixed: its record is corrected; rejected: it stays).
TEMPLATES["data_correction.answered"] = Template(
    event="data_correction.answered",
    title="信息有误反馈已答复",
    body="您对「{field_label}」提交的信息有误反馈，{department_name}已处理：{result}。答复：{reply}",
    sms="您对「{field_label}」的信息有误反馈已处理，结果：{result}，详情请登录一次办查看。",
    link="/me/correction-requests",
    sample={
        "field_label": "法定代表人身份证件号码",
        "department_name": "株洲市不动产登记中心（株洲市自然资源和规划局）",
        "result": "已更正",
        "reply": "经核实，人口库中的出生日期登记有误，已按户籍档案更正，请重新发起申请。",
    },
)

# Appended by the ratings feature (api/evaluations): a visit served at the window is invited to be rated, and a
# department's reply to a 差评 (整改答复) is sent to the person who rated.
TEMPLATES["evaluation.invitation_appointment"] = Template(
    event="evaluation.invitation_appointment",
    title="请评价本次服务",
    body="您在{hall_name}办理的「{service_name}」已办结，请为本次服务评价，您的意见将帮助我们改进。",
    sms="您在{hall_name}的业务已办结，欢迎在一次办为本次服务评价。",
    link="/appointments/{appointment_id}",
    sample={
        "appointment_id": _APPOINTMENT["appointment_id"],
        "hall_name": _APPOINTMENT["hall_name"],
        "service_name": _APPOINTMENT["service_name"],
    },
)
TEMPLATES["evaluation.reminder"] = Template(
    event="evaluation.reminder",
    title="还没评价本次服务",
    body="您办理的「{subject_name}」已办结3天，还没有评价。您的意见将帮助我们改进服务。",
    sms="您办理的业务已办结，还没有评价，欢迎在一次办为本次服务评价。",
    link="{subject_path}",
    sample={
        "subject_name": "公众聚集场所投入使用、营业前消防安全检查（株洲市民中心政务服务大厅）",
        "subject_path": "/applications/app_0123456789abcdefghijkl",
    },
)
TEMPLATES["evaluation.replied"] = Template(
    event="evaluation.replied",
    title="您的评价已收到答复",
    body="{department_name}已答复您对「{subject_name}」的评价并说明了整改措施，欢迎查看后追加评价。",
    sms="{department_name}已答复您的服务评价，请登录一次办查看。",
    link="{subject_path}",
    sample={
        "department_name": "株洲市不动产登记中心（株洲市自然资源和规划局）",
        "subject_name": "公众聚集场所投入使用、营业前消防安全检查（株洲市民中心政务服务大厅）",
        "subject_path": "/applications/app_0123456789abcdefghijkl",
    },
)
