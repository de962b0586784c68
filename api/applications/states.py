"""The state machine of an application (申请) and of its sub-applications (one per item, 并联审批).

Sub-application:

| from             | action              | to               | who                                    |
|------------------|---------------------|------------------|----------------------------------------|
| submitted        | accept              | in_review        | clerk (受理), or automatic for items reviewed online only |
| in_review        | request_correction  | needs_correction | approver of the item's department (补正) |
| needs_correction | resubmit            | in_review        | applicant                              |
| in_review        | approve             | approved         | approver                               |
| in_review        | reject              | rejected         | approver (reason required)             |
| approved         | issue               | issued           | system, once the fee order is paid     |
| submitted        | withdraw            | withdrawn        | applicant, before acceptance           |

The application: `draft` → submit → `submitted` → (accept) then derived from its sub-applications
(`derive_state`): needs_correction if any needs a correction, in_review while any is open, rejected
when all are rejected, approved when all are decided and any approved, results_issued when every
approved one has issued its results, completed when the results are with the applicant (no paper
to post, or delivered). `withdrawn` from `draft` or `submitted`.
"""

from __future__ import annotations

DRAFT, SUBMITTED, IN_REVIEW, NEEDS_CORRECTION = "draft", "submitted", "in_review", "needs_correction"
APPROVED, REJECTED, ISSUED, RESULTS_ISSUED = "approved", "rejected", "issued", "results_issued"
COMPLETED, WITHDRAWN = "completed", "withdrawn"

SUB_TRANSITIONS: dict[str, tuple[str, str]] = {
    # action: (from, to)
    "accept": (SUBMITTED, IN_REVIEW),
    "request_correction": (IN_REVIEW, NEEDS_CORRECTION),
    "resubmit": (NEEDS_CORRECTION, IN_REVIEW),
    "approve": (IN_REVIEW, APPROVED),
    "reject": (IN_REVIEW, REJECTED),
    "issue": (APPROVED, ISSUED),
    "withdraw": (SUBMITTED, WITHDRAWN),
}
OPEN_SUB_STATES = (SUBMITTED, IN_REVIEW, NEEDS_CORRECTION)

STATE_LABELS = {
    DRAFT: "草稿",
    SUBMITTED: "已提交",
    IN_REVIEW: "审批中",
    NEEDS_CORRECTION: "待补正",
    APPROVED: "已通过",
    REJECTED: "未通过",
    ISSUED: "已出证",
    RESULTS_ISSUED: "已出证",
    COMPLETED: "已办结",
    WITHDRAWN: "已撤回",
}

# Every state but draft: "an application once submitted" as an $in, which the embedded engine answers in SQL
# ($ne is checked in Python, after decoding every newer draft of the person).
SUBMITTED_ONCE = tuple(state for state in STATE_LABELS if state != DRAFT)


def derive_state(sub_states: list[str], paper_pending: bool) -> str:
    """The application's state from its sub-applications' (after acceptance)."""
    states = set(sub_states)
    if states <= {WITHDRAWN}:
        return WITHDRAWN
    if SUBMITTED in states:
        return SUBMITTED
    if NEEDS_CORRECTION in states:
        return NEEDS_CORRECTION
    if IN_REVIEW in states:
        return IN_REVIEW
    if states <= {REJECTED}:
        return REJECTED
    if APPROVED in states:
        return APPROVED
    return RESULTS_ISSUED if paper_pending else COMPLETED
