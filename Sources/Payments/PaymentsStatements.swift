public import Postgres

/// The SQL of payments, refunds and the outbox, prepared on every pooled connection.
public enum PaymentsStatements {
    /// $1 order, $2 its owner: the order's payment, made on the first call (or the refusal and
    /// its message in the first two columns).
    static let beginPayment = PreparedStatement(
        "payments_begin",
        """
        SELECT b.refusal, b.detail, (b.payment).id, (b.payment).intent_id, (b.payment).amount, (b.payment).currency,
               (b.payment).intent_attempts
        FROM gb_begin_payment($1::bigint, $2::text) b
        """
    )

    /// $1 payment, $2 provider intent; answers the refusal (or NULL) and the payment's JSON.
    static let attachIntent = PreparedStatement(
        "payments_attach_intent", "SELECT refusal, body FROM gb_attach_intent($1::bigint, $2::text)"
    )

    /// $1 event id, $2 type, $3 our payment id (from the intent's metadata) or NULL, $4 intent id,
    /// $5 amount, $6 currency (NULL for refunds), $7 provider refund id or NULL, $8 the event as
    /// JSON; answers the outcome.
    static let applyEvent = PreparedStatement(
        "payments_apply_event",
        """
        SELECT gb_apply_payment_event($1::text, $2::text, $3::bigint, $4::text, $5::bigint, $6::text, $7::text,
                                      $8::jsonb)
        """
    )

    /// Claims up to $1 due jobs (or jobs whose claim lapsed) for $2 seconds.
    static let claimJobs = PreparedStatement(
        "outbox_claim",
        """
        UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_until = now() + make_interval(secs => $2::int), updated_at = now()
        WHERE id IN (
            SELECT id FROM jobs
            WHERE (status = 'queued' AND run_at <= now()) OR (status = 'running' AND locked_until <= now())
            ORDER BY run_at LIMIT $1::int
            FOR UPDATE SKIP LOCKED
        )
        RETURNING id, kind, payload::text, attempts
        """
    )

    /// The refund a job asks for: $1 refund id.
    static let refundToSend = PreparedStatement(
        "outbox_refund_to_send",
        "SELECT r.amount, p.intent_id, r.status FROM refunds r JOIN payments p ON p.id = r.payment_id WHERE r.id = $1::bigint"
    )

    /// Records the provider's refund id and finishes the job in one statement: $1 refund,
    /// $2 provider refund id, $3 job, $4 the attempt that claimed it.
    static let refundSent = PreparedStatement(
        "outbox_refund_sent",
        """
        WITH refund AS (
            UPDATE refunds SET status = CASE WHEN status = 'requested' THEN 'submitted' ELSE status END,
                               provider_refund_id = coalesce(provider_refund_id, $2::text), updated_at = now()
            WHERE id = $1::bigint
        )
        UPDATE jobs SET status = 'done', locked_until = NULL, last_error = NULL, updated_at = now()
        WHERE id = $3::bigint AND status = 'running' AND attempts = $4::int
        """
    )

    /// Finishes a job: $1 job, $2 the attempt that claimed it.
    static let jobDone = PreparedStatement(
        "outbox_job_done",
        "UPDATE jobs SET status = 'done', locked_until = NULL, updated_at = now() WHERE id = $1::bigint AND status = 'running' AND attempts = $2::int"
    )

    /// A failed attempt: $1 job, $2 attempt, $3 error, $4 retry in ms, $5 give up (dead).
    static let jobFailed = PreparedStatement(
        "outbox_job_failed",
        """
        UPDATE jobs SET status = CASE WHEN $5::bool THEN 'dead' ELSE 'queued' END, locked_until = NULL, last_error = $3::text,
                        run_at = now() + make_interval(secs => $4::int / 1000.0), updated_at = now()
        WHERE id = $1::bigint AND status = 'running' AND attempts = $2::int
        """
    )

    /// Our payments that have an intent, made at or after $1 (Unix milliseconds), for reconciliation.
    static let paymentsForReconciliation = PreparedStatement(
        "payments_for_reconciliation",
        """
        SELECT p.id, p.order_id, p.intent_id, p.amount, p.status, r.status AS refund_status, p.currency
        FROM payments p LEFT JOIN refunds r ON r.payment_id = p.id
        WHERE p.intent_id IS NOT NULL AND p.created_at >= to_timestamp($1::bigint / 1000.0) ORDER BY p.id
        """
    )

    /// Signed webhooks received at or after $1 (Unix milliseconds) whose money did not match
    /// their payment, with what the event said and what the payment is.
    static let mismatchedEvents = PreparedStatement(
        "payments_mismatched_events",
        """
        SELECT e.event_id, e.outcome, e.payment_id, p.order_id, e.payload #>> '{data,object,id}',
               e.payload #>> '{data,object,amount}', e.payload #>> '{data,object,currency}',
               p.intent_id, p.amount, p.currency, p.status
        FROM payment_events e LEFT JOIN payments p ON p.id = e.payment_id
        WHERE e.outcome IN ('intent_mismatch', 'amount_mismatch', 'currency_mismatch')
          AND e.received_at >= to_timestamp($1::bigint / 1000.0)
        ORDER BY e.received_at, e.event_id
        """
    )

    /// $1 batch size, $2 grace seconds: payments still without an intent that no pay call has
    /// touched for the grace period, claimed (their `updated_at` moves, so a payment the
    /// provider keeps refusing waits another grace period instead of filling every batch).
    /// SKIP LOCKED, for several instances. Uses the partial index of migration 0007.
    static let paymentsWithoutIntent = PreparedStatement(
        "payments_without_intent",
        """
        UPDATE payments p SET updated_at = now()
        FROM (
            SELECT id FROM payments
            WHERE status = 'creating' AND intent_id IS NULL AND updated_at < now() - make_interval(secs => $2::int)
            ORDER BY updated_at LIMIT $1::int FOR NO KEY UPDATE SKIP LOCKED
        ) claimed
        WHERE p.id = claimed.id
        RETURNING p.id, p.order_id, p.amount, p.currency, p.intent_attempts
        """
    )

    public static let all: [PreparedStatement] = [
        beginPayment, attachIntent, applyEvent, claimJobs, refundToSend, refundSent, jobDone, jobFailed, paymentsForReconciliation,
        mismatchedEvents, paymentsWithoutIntent,
    ]
}
