/// A deal as the cached read path serves it: version and status (for the ETag and to hide
/// drafts) and its representation, rendered once per load by the catalog's `DealRenderer`
/// and then copied as bytes.
package struct CachedDeal: Sendable, Equatable {
    package let version: Int
    package let status: DealStatus
    /// The deal's JSON as the API renders it (docs/API.md).
    package let json: [UInt8]

    package init(version: Int, status: DealStatus, json: [UInt8]) {
        self.version = version
        self.status = status
        self.json = json
    }
}
