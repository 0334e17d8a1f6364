// StateStore: the audit trail (the audit table): the latest records, and its own retention.
// Records are written through the group commit (write_queue.cpp).
#include <iterator>
#include <limits>

#include "agent/store/sqlite.hpp"
#include "agent/store/state_store.hpp"

namespace fical::agent::store {

std::vector<nlohmann::json> StateStore::recent_audit(std::size_t limit) {
  // What this agent recorded before the call is served: wait for the commit, not forever.
  flush(std::chrono::seconds(1));
  auto db = reader();
  auto rows = db->prepare("SELECT body FROM audit ORDER BY id DESC LIMIT ?1");
  rows.bind(1, static_cast<std::int64_t>(limit));
  std::vector<nlohmann::json> newest;
  while (rows.step()) {
    auto record = nlohmann::json::parse(rows.text(0), nullptr, false);
    if (!record.is_discarded()) newest.push_back(std::move(record));
  }
  return {std::make_move_iterator(newest.rbegin()), std::make_move_iterator(newest.rend())};
}

std::size_t StateStore::prune_audit(const Retention& retention, std::size_t batch, proto::TimePoint now) {
  if (retention.keep_audit_records == 0 && retention.keep_audit_days <= 0) return 0;
  auto cutoff = retention.keep_audit_days > 0
                    ? (now - std::chrono::hours(24) * retention.keep_audit_days).time_since_epoch().count()
                    : std::numeric_limits<std::int64_t>::min();
  // The id of the oldest record kept by count: every id below it goes.
  std::int64_t first_kept = 0;
  if (retention.keep_audit_records > 0) {
    auto db = reader();
    auto row = db->prepare("SELECT id FROM audit ORDER BY id DESC LIMIT 1 OFFSET ?1");
    row.bind(1, static_cast<std::int64_t>(retention.keep_audit_records) - 1);
    if (row.step()) first_kept = row.integer(0);
  }
  std::lock_guard lock(mutex_);
  Transaction tx(*writer_);
  auto deleted = writer_->prepare(
      "DELETE FROM audit WHERE id IN (SELECT id FROM audit WHERE time < ?1 OR id < ?2 ORDER BY id LIMIT ?3)");
  deleted.bind(1, cutoff).bind(2, first_kept).bind(3, static_cast<std::int64_t>(batch)).run();
  auto count = static_cast<std::size_t>(writer_->changes());
  tx.commit();
  return count;
}

}  // namespace fical::agent::store
