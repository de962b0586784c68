// How a fee order (缴费单) reads on the screen: its states and its refunds' states as tags, and how
// often the pay screen asks whether the money has arrived.

export const FEE_TAGS = {
  not_required: 'default',
  pending: 'warning',
  paid: 'success',
  refunding: 'primary',
  refunded: 'default',
  closed: 'default',
}

export const REFUND_TAGS = {
  requested: 'primary',
  processing: 'primary',
  succeeded: 'success',
  closed: 'danger',
  abnormal: 'danger',
}

/** The waiting screen asks every 2 s while the order is pending (docs/payments.md). */
export const POLL_MS = 2000

/** Paid at some point: the receipt exists (refunds do not take it away). */
export const wasPaid = (order) => ['paid', 'refunding', 'refunded'].includes(order?.state)

export const paymentPath = (applicationId) => `/applications/${encodeURIComponent(applicationId)}/payment`
