import Catalog
import Domain
import HTTPCodec
import HTTPServer
import Idempotency
import Orders
import Payments
import Postgres

/// Turns what the business modules and the data layer throw into the HTTP answer a client
/// should see: the one place a domain error becomes a problem type (`DomainErrorMiddleware`
/// calls it for every API route). Anything not listed stays as it is (and becomes a 500 that
/// reveals nothing).
enum ErrorTranslation {
    static func translate(_ error: any Error) -> any Error {
        switch error {
        case let error as HTTPError:
            return error
        case let error as CatalogError:
            return translate(error)
        case let error as OrdersError:
            return translate(error)
        case let error as IdempotencyError:
            return translate(error)
        case let error as PaymentsError:
            switch error {
            case .notConfigured:
                return HTTPError(.serviceUnavailable, type: ProblemType.paymentsNotConfigured, detail: "this instance has no payment provider configured")
            case .providerUnavailable(let detail):
                return HTTPError(
                    502, type: ProblemType.paymentProviderUnavailable, detail: "the payment provider did not answer; retry: \(detail)",
                    headers: retryAfter(2)
                )
            case .providerRefused(let detail):
                return HTTPError(502, type: ProblemType.paymentProviderRefused, detail: detail)
            }
        case let error as PostgresPool.PoolError:
            switch error {
            case .exhausted:
                return HTTPError(
                    .serviceUnavailable, type: ProblemType.databaseBusy,
                    detail: "every database connection is busy; retry shortly", headers: retryAfter(1)
                )
            case .closed:
                return HTTPError(.serviceUnavailable, type: ProblemType.databaseUnavailable, detail: "the service is shutting down", headers: retryAfter(1))
            }
        case let error as PostgresError:
            if error.isUnavailable {
                // Refused, broken, or the server shutting down / restarting / starting up.
                return HTTPError(
                    .serviceUnavailable, type: ProblemType.databaseUnavailable,
                    detail: "the database cannot be reached or is restarting; retry shortly", headers: retryAfter(1)
                )
            }
            if error.isUnstorableText {
                // Text PostgreSQL cannot hold (U+0000) that got past the edges' checks.
                return HTTPError(.badRequest, type: ProblemType.unstorableText, detail: "the request holds text that cannot be stored (U+0000)")
            }
            if error.isTimeout {
                // Statement timeout, lock timeout, or our cancel at the request deadline.
                return HTTPError(.serviceUnavailable, type: ProblemType.timeout, detail: "the database took too long", headers: retryAfter(1))
            }
            if error.isRetryableConflict {
                // A deadlock or serialization failure that outlasted the business module's retries.
                return HTTPError(
                    .serviceUnavailable, type: ProblemType.databaseBusy, detail: "the database is busy with conflicting changes; retry shortly",
                    headers: retryAfter(1)
                )
            }
            return error
        case is CancellationError:
            return HTTPError(.serviceUnavailable, type: ProblemType.timeout, detail: "the request ran past its deadline", headers: retryAfter(1))
        default:
            return error
        }
    }

    static func translate(_ error: OrdersError) -> HTTPError {
        switch error {
        case .dealNotFound(let detail), .groupNotFound(let detail), .orderNotFound(let detail):
            return HTTPError(.notFound, type: ProblemType.notFound, detail: detail)
        case .dealNotActive(let detail):
            return HTTPError(.conflict, type: ProblemType.dealNotActive, detail: detail)
        case .soldOut(let detail):
            return HTTPError(.conflict, type: ProblemType.soldOut, detail: detail)
        case .groupNotOpen(let detail):
            return HTTPError(.conflict, type: ProblemType.groupNotOpen, detail: detail)
        case .groupExpired(let detail):
            return HTTPError(.conflict, type: ProblemType.groupExpired, detail: detail)
        case .groupFull(let detail):
            return HTTPError(.conflict, type: ProblemType.groupFull, detail: detail)
        case .alreadyInGroup(let detail):
            return HTTPError(.conflict, type: ProblemType.alreadyInGroup, detail: detail)
        case .purchaseLimitExceeded(let detail):
            return HTTPError(.conflict, type: ProblemType.purchaseLimitExceeded, detail: detail)
        case .wrongOrderState(let detail):
            return HTTPError(.conflict, type: ProblemType.orderState, detail: detail)
        case .paymentWindowClosed(let detail):
            return HTTPError(.conflict, type: ProblemType.paymentWindowClosed, detail: detail)
        }
    }

    static func translate(_ error: IdempotencyError) -> HTTPError {
        switch error {
        case .keyReused(let detail):
            return HTTPError(.unprocessableContent, type: ProblemType.idempotencyKeyReused, detail: detail)
        case .inProgress(let detail):
            return HTTPError(.conflict, type: ProblemType.idempotencyKeyInProgress, detail: detail, headers: retryAfter(1))
        }
    }

    static func translate(_ error: CatalogError) -> HTTPError {
        switch error {
        case .dealNotFound:
            return HTTPError(.notFound, type: ProblemType.notFound, detail: "there is no such deal")
        case .versionMismatch(let current):
            var headers = ResponseHeaders()
            headers.add("ETag", .string(ETag.make(version: current)))
            return HTTPError(
                .preconditionFailed, type: ProblemType.versionMismatch,
                detail: "the deal changed since you read it (now version \(current)); read it again and retry",
                extensions: [("currentVersion", .int(current))], headers: headers
            )
        case .dealClosed:
            return HTTPError(.conflict, type: ProblemType.dealClosed, detail: "the deal is closed and cannot change")
        case .statusChangeRefused(let detail):
            return HTTPError(.conflict, type: ProblemType.dealStatusTransition, detail: detail)
        case .invalid(let problems):
            return validation(problems)
        }
    }

    static func retryAfter(_ seconds: Int) -> ResponseHeaders {
        var headers = ResponseHeaders()
        headers.add("Retry-After", .string(String(seconds)))
        return headers
    }
}
