#pragma once
// A small RAII wrapper of the sqlite3 C API: a connection, prepared statements, transactions.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace fical::agent::store {

/// A failed SQLite call, with SQLite's (extended) result code and message.
class SqliteError : public std::runtime_error {
 public:
  SqliteError(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
  int code() const { return code_; }
  /// SQLITE_FULL: the disk (or tmpfs) has no room for the write.
  bool disk_full() const;

 private:
  int code_;
};

/// One prepared statement. Binds are 1-based; columns 0-based. Not thread-safe (as its connection).
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&& other) noexcept;

  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, std::int64_t value);
  Statement& bind_null(int index);
  /// Steps once: true while a row is available, false when done. Throws SqliteError.
  bool step();
  /// Steps to the end (for statements without rows).
  void run();
  void reset();

  std::string text(int column) const;
  std::int64_t integer(int column) const;
  bool is_null(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

/// One connection. Not thread-safe: one thread at a time uses it.
class Connection {
 public:
  enum class Mode { read_write, read_only };
  Connection(const std::filesystem::path& path, Mode mode);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// Runs one or more statements without results (PRAGMAs, DDL, BEGIN...).
  void exec(std::string_view sql);
  Statement prepare(std::string_view sql) { return Statement(db_, sql); }
  /// The first column of the first row of `sql`, or nullopt.
  std::optional<std::string> scalar_text(std::string_view sql);
  std::int64_t scalar_int(std::string_view sql);
  /// Rows changed by the last INSERT, UPDATE or DELETE.
  std::int64_t changes();
  sqlite3* handle() { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

/// BEGIN IMMEDIATE on construction, ROLLBACK unless commit() was called.
class Transaction {
 public:
  explicit Transaction(Connection& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Connection& db_;
  bool done_ = false;
};

/// A read transaction: what it reads comes from one snapshot. Ends (COMMIT) on destruction,
/// so a pooled connection never keeps an old snapshot.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(Connection& db) : db_(db) { db_.exec("BEGIN"); }
  ~ReadSnapshot();
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;

 private:
  Connection& db_;
};

/// Copies the database of `from` into a new file at `to` with SQLite's online backup API.
void backup_database(Connection& from, const std::filesystem::path& to);

}  // namespace fical::agent::store
