// StateStore: envs in maintenance mode, and the secret fical's verify request passes the
// maintenance page with.
#include <openssl/rand.h>

#include <stdexcept>

#include "agent/store/sqlite.hpp"
#include "agent/store/state_store.hpp"

namespace fical::agent::store {
namespace {

constexpr std::size_t kSecretLength = 32;
constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

std::string new_secret() {
  std::string secret;
  while (secret.size() < kSecretLength) {
    unsigned char bytes[64];
    if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("RAND_bytes failed");
    for (unsigned char b : bytes) {
      // 248 = 4 * 62: no bias toward the first letters.
      if (b < 248 && secret.size() < kSecretLength) secret += kAlphabet[b % kAlphabet.size()];
    }
  }
  return secret;
}

}  // namespace

std::optional<MaintenanceState> StateStore::load_maintenance(const std::string& app, const std::string& env) {
  auto db = reader();
  auto row = db->prepare("SELECT message, retry_after, since, started_by FROM maintenance WHERE app = ?1 AND env = ?2");
  row.bind(1, app).bind(2, env);
  if (!row.step()) return std::nullopt;
  return MaintenanceState{row.text(0), row.integer(1), proto::TimePoint(std::chrono::milliseconds(row.integer(2))),
                          row.text(3)};
}

void StateStore::save_maintenance(const std::string& app, const std::string& env, const MaintenanceState& state) {
  write_with_queue([&] {
    writer_
        ->prepare("INSERT OR REPLACE INTO maintenance (app, env, message, retry_after, since, started_by) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
        .bind(1, app)
        .bind(2, env)
        .bind(3, state.message)
        .bind(4, state.retry_after_seconds)
        .bind(5, static_cast<std::int64_t>(state.since.time_since_epoch().count()))
        .bind(6, state.by)
        .run();
  });
}

void StateStore::clear_maintenance(const std::string& app, const std::string& env) {
  write_with_queue([&] {
    writer_->prepare("DELETE FROM maintenance WHERE app = ?1 AND env = ?2").bind(1, app).bind(2, env).run();
  });
}

std::string StateStore::verify_secret() {
  {
    auto db = reader();
    if (auto known = db->scalar_text("SELECT value FROM meta WHERE key = 'verify_secret'")) return *known;
  }
  auto secret = new_secret();
  // INSERT OR IGNORE: a secret another call wrote first wins, and both return it.
  write_with_queue([&] {
    writer_->prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('verify_secret', ?1)").bind(1, secret).run();
  });
  auto db = reader();
  return db->scalar_text("SELECT value FROM meta WHERE key = 'verify_secret'").value_or(secret);
}

}  // namespace fical::agent::store
