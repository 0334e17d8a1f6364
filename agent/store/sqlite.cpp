#include "agent/store/sqlite.hpp"

#include <sqlite3.h>

namespace fical::agent::store {
namespace {

[[noreturn]] void fail(sqlite3* db, int code, std::string_view what) {
  throw SqliteError(code, std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(code)));
}

}  // namespace

bool SqliteError::disk_full() const { return (code_ & 0xff) == SQLITE_FULL; }

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
  if (rc != SQLITE_OK) fail(db, rc, "prepare " + std::string(sql.substr(0, 60)));
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement::Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) { other.stmt_ = nullptr; }

Statement& Statement::bind(int index, std::string_view text) {
  int rc = sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

Statement& Statement::bind_null(int index) {
  int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  int code = sqlite3_extended_errcode(db_);
  sqlite3_reset(stmt_);
  fail(db_, code, "step");
}

void Statement::run() {
  while (step()) {
  }
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Statement::text(int column) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))) : std::string();
}

std::int64_t Statement::integer(int column) const { return sqlite3_column_int64(stmt_, column); }

bool Statement::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

Connection::Connection(const std::filesystem::path& path, Mode mode) {
  int flags = SQLITE_OPEN_NOMUTEX |
              (mode == Mode::read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw SqliteError(rc, "cannot open " + path.string() + ": " + message);
  }
  sqlite3_extended_result_codes(db_, 1);
  // A writer holds the lock only for a short transaction; wait rather than fail.
  sqlite3_busy_timeout(db_, 5000);
}

Connection::~Connection() { sqlite3_close_v2(db_); }

void Connection::exec(std::string_view sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string why = message ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    throw SqliteError(sqlite3_extended_errcode(db_), std::string(sql.substr(0, 60)) + ": " + why);
  }
}

std::optional<std::string> Connection::scalar_text(std::string_view sql) {
  auto stmt = prepare(sql);
  if (!stmt.step() || stmt.is_null(0)) return std::nullopt;
  return stmt.text(0);
}

std::int64_t Connection::scalar_int(std::string_view sql) {
  auto stmt = prepare(sql);
  return stmt.step() ? stmt.integer(0) : 0;
}

std::int64_t Connection::changes() { return sqlite3_changes64(db_); }

Transaction::Transaction(Connection& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
  if (done_) return;
  try {
    db_.exec("ROLLBACK");
  } catch (...) {  // SQLite may have rolled back already (e.g. SQLITE_FULL)
  }
}

void Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

ReadSnapshot::~ReadSnapshot() {
  try {
    db_.exec("COMMIT");
  } catch (...) {
  }
}

void backup_database(Connection& from, const std::filesystem::path& to) {
  Connection target(to, Connection::Mode::read_write);
  sqlite3_backup* backup = sqlite3_backup_init(target.handle(), "main", from.handle(), "main");
  if (!backup) fail(target.handle(), sqlite3_errcode(target.handle()), "backup to " + to.string());
  int rc = sqlite3_backup_step(backup, -1);
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) fail(target.handle(), rc, "backup to " + to.string());
}

}  // namespace fical::agent::store
