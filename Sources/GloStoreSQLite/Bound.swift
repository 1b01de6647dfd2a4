import GRDB
import GRDBSQLite

/// A cached GRDB statement bound, stepped and read through SQLite's C API.
///
/// The store's hot statements (the writer's inserts and updates, the readers' record and event
/// lookups) run many times per request. GRDB's `StatementArguments` box every value and its
/// `execute`/`Row` path adds bookkeeping per call that showed as a large part of the commit's and
/// the reads' cost in the profile; here values go straight to `sqlite3_bind_*` and come straight
/// out of `sqlite3_column_*`. Only statements used solely through `Bound` may be used this way,
/// so GRDB never finds one half-stepped. The statement is reset before binding and after use.
struct Bound: ~Copyable {
    private let handle: OpaquePointer
    private var index: Int32 = 0

    /// `sql` is prepared once per connection (GRDB's statement cache).
    init(_ db: Database, _ sql: String) throws {
        handle = try db.cachedStatement(sql: sql).sqliteStatement
        sqlite3_reset(handle)
    }

    deinit { sqlite3_reset(handle) }

    mutating func bind(_ text: String) {
        index += 1
        var text = text
        text.withUTF8 { bytes in
            if let base = bytes.baseAddress {
                _ = base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                    sqlite3_bind_text(handle, index, $0, Int32(bytes.count), Self.transient)
                }
            } else {
                // A nil pointer would bind NULL; the empty string is a text.
                _ = sqlite3_bind_text(handle, index, "", 0, Self.transient)
            }
        }
    }

    mutating func bind(_ text: String?) {
        guard let text else { index += 1; sqlite3_bind_null(handle, index); return }
        bind(text)
    }

    mutating func bind(_ value: Int64) {
        index += 1
        sqlite3_bind_int64(handle, index, value)
    }

    mutating func bind(blob: [UInt8]) {
        index += 1
        if blob.isEmpty {
            sqlite3_bind_zeroblob(handle, index, 0)
        } else {
            blob.withUnsafeBytes { _ = sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), Self.transient) }
        }
    }

    /// Runs a statement that returns no rows; the number of rows it changed.
    @discardableResult
    func run(_ db: Database) throws -> Int {
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else { throw Self.error(code, db) }
        return Int(sqlite3_changes(db.sqliteConnection))
    }

    /// Steps to the next row; false when there is none.
    func step(_ db: Database) throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code: throw Self.error(code, db)
        }
    }

    // Columns of the current row, by position.
    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }
    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    func text(_ column: Int32) -> String {
        guard let start = sqlite3_column_text(handle, column) else { return "" }
        return String(decoding: UnsafeBufferPointer(start: start, count: Int(sqlite3_column_bytes(handle, column))), as: UTF8.self)
    }

    func blob(_ column: Int32) -> [UInt8] {
        guard let start = sqlite3_column_blob(handle, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: start, count: Int(sqlite3_column_bytes(handle, column))))
    }

    /// SQLite copies bound values (`SQLITE_TRANSIENT`), so Swift's buffers need not outlive the call.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// The error as GRDB reports it (result code and SQLite's message; never a bound value).
    private static func error(_ code: Int32, _ db: Database) -> DatabaseError {
        let message = sqlite3_errmsg(db.sqliteConnection).map { String(cString: $0) }
        return DatabaseError(resultCode: ResultCode(rawValue: code), message: message)
    }
}
