import HTTPServer
import Inventory

/// The JSON of an inventory check (docs/API.md).
enum InventoryRendering {
    static func write(_ report: InventoryCheck.Report, into json: inout JSONWriter) {
        json.object { object in
            object.field("healthy", report.isHealthy)
            object.field("dealsChecked", report.dealsChecked)
            object.key("violations")
            object.array { array in
                for violation in report.violations {
                    array.object { item in
                        item.field("dealId", Int(violation.dealID))
                        item.field("total", violation.total)
                        item.field("available", violation.available)
                        item.field("reserved", violation.reserved)
                        item.field("sold", violation.sold)
                        item.field("ordersReserved", violation.ordersReserved)
                        item.field("ordersSold", violation.ordersSold)
                        item.key("problems")
                        item.array { list in
                            for problem in violation.problems { list.string(problem) }
                        }
                    }
                }
            }
            object.key("overdueReservations")
            object.array { array in
                for overdue in report.overdue {
                    array.object { item in
                        item.field("orderId", Int(overdue.orderID))
                        item.field("dealId", Int(overdue.dealID))
                        item.field("overdueSeconds", overdue.overdueSeconds)
                    }
                }
            }
        }
    }
}
