// StateStore: group commit of events and audit records. Producers queue a write (no I/O,
// microseconds) and get a ticket; one commit thread writes everything queued in one
// transaction with synchronous=FULL, so one fsync covers a batch, then publishes the newest
// ticket it committed. Whatever fical serves (event stream, deployment show, audit) is read
// from committed rows or gated on committed(), so nothing acknowledged can be lost.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <unordered_set>

#include "agent/store/sqlite.hpp"
#include "agent/store/state_store.hpp"

namespace fical::agent::store {
namespace {

// Audit records beyond this many waiting (a disk failing for a long time) are refused;
// events are never refused: a deployment's record must stay complete.
constexpr std::size_t kMaxQueuedAudit = 10000;

void write_one(Connection& db, const std::string& id, const std::vector<std::pair<std::int64_t, std::string>>& events) {
  auto insert = db.prepare("INSERT OR REPLACE INTO events (deployment_id, seq, body) VALUES (?1, ?2, ?3)");
  for (const auto& [seq, body] : events) {
    insert.reset();
    insert.bind(1, id).bind(2, seq).bind(3, body).run();
  }
}

}  // namespace

StateStore::Ticket StateStore::enqueue(QueuedWrite write) {
  Ticket ticket;
  {
    std::lock_guard lock(queue_mutex_);
    if (!write.audit.empty()) {
      auto audits = std::count_if(queue_.begin(), queue_.end(), [](const auto& w) { return !w.audit.empty(); });
      if (static_cast<std::size_t>(audits) >= kMaxQueuedAudit) {
        throw std::runtime_error("the state database has not taken a write for a long time (" +
                                 std::to_string(audits) + " audit records waiting): record dropped");
      }
    }
    ticket = write.ticket = next_ticket_++;
    queue_.push_back(std::move(write));
  }
  queue_wake_.notify_one();
  return ticket;
}

StateStore::Ticket StateStore::queue_events(const proto::Deployment& d, std::size_t first) {
  QueuedWrite write;
  write.id = d.id;
  write.app = d.app;
  write.env = d.env;
  write.state = proto::to_string(d.state);
  write.idempotency_key = d.idempotency_key;
  write.record = proto::to_json(d, false).dump();
  write.created_at = d.created_at.time_since_epoch().count();
  for (auto i = first; i < d.events.size(); ++i) {
    write.events.emplace_back(static_cast<std::int64_t>(d.events[i].seq), proto::to_json(d.events[i]).dump());
  }
  return enqueue(std::move(write));
}

StateStore::Ticket StateStore::queue_audit(proto::TimePoint time, const nlohmann::json& record) {
  QueuedWrite write;
  write.audit_time = time.time_since_epoch().count();
  // Invalid UTF-8 (from a client's path) is replaced, never a reason to lose the record.
  write.audit = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return enqueue(std::move(write));
}

std::vector<StateStore::QueuedWrite> StateStore::write_queue_locked() {
  std::vector<QueuedWrite> batch;
  {
    std::lock_guard lock(queue_mutex_);
    batch.swap(queue_);
  }
  try {
    // Rows first (the events' foreign key), each deployment's newest row only.
    std::unordered_set<std::string> written;
    auto row = writer_->prepare(
        "INSERT INTO deployments (id, app, env, created_at, state, idempotency_key, record) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id) DO UPDATE SET state = excluded.state, "
        "record = excluded.record");
    for (auto it = batch.rbegin(); it != batch.rend(); ++it) {
      if (it->id.empty() || !written.insert(it->id).second) continue;
      row.reset();
      row.bind(1, it->id)
          .bind(2, it->app)
          .bind(3, it->env)
          .bind(4, it->created_at)
          .bind(5, it->state)
          .bind(6, it->idempotency_key)
          .bind(7, it->record)
          .run();
    }
    auto audit = writer_->prepare("INSERT INTO audit (time, body) VALUES (?1, ?2)");
    for (const auto& write : batch) {
      if (!write.id.empty()) write_one(*writer_, write.id, write.events);
      if (!write.audit.empty()) {
        audit.reset();
        audit.bind(1, write.audit_time).bind(2, write.audit).run();
      }
    }
  } catch (...) {
    requeue_locked(std::move(batch));
    throw;
  }
  return batch;
}

void StateStore::requeue_locked(std::vector<QueuedWrite> batch) {
  // The batch was taken from the front of the queue; what came since goes after it.
  std::lock_guard lock(queue_mutex_);
  batch.insert(batch.end(), std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
  queue_ = std::move(batch);
}

void StateStore::publish(const std::vector<QueuedWrite>& batch) {
  if (batch.empty()) return;
  {
    std::lock_guard lock(queue_mutex_);  // waiters check under this lock: no lost wake-up
    committed_ = std::max(committed_.load(), batch.back().ticket);
  }
  committed_wake_.notify_all();
}

void StateStore::write_with_queue(const std::function<void()>& body) {
  std::lock_guard lock(mutex_);
  Transaction tx(*writer_);
  auto batch = write_queue_locked();
  try {
    body();
    tx.commit();
  } catch (...) {
    requeue_locked(std::move(batch));
    throw;
  }
  publish(batch);
}

bool StateStore::wait_committed(Ticket ticket, std::chrono::milliseconds timeout) {
  std::unique_lock lock(queue_mutex_);
  return committed_wake_.wait_for(lock, timeout, [&] { return committed_.load() >= ticket; });
}

bool StateStore::flush(std::chrono::milliseconds timeout) {
  Ticket last;
  {
    std::lock_guard lock(queue_mutex_);
    last = next_ticket_ - 1;
  }
  return wait_committed(last, timeout);
}

void StateStore::commit_loop() {
  auto backoff = std::chrono::milliseconds(0);
  std::string last_error;
  std::unique_lock lock(queue_mutex_);
  for (;;) {
    queue_wake_.wait(lock, [&] { return stop_commits_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and all is committed
    lock.unlock();
    try {
      std::lock_guard write(mutex_);
      Transaction tx(*writer_);
      auto batch = write_queue_locked();
      try {
        tx.commit();
      } catch (...) {
        requeue_locked(std::move(batch));
        throw;
      }
      publish(batch);
      if (!last_error.empty()) spdlog::info("state: writes to {} succeed again", db_path().string());
      last_error.clear();
      backoff = std::chrono::milliseconds(0);
    } catch (const std::exception& e) {
      // Kept queued and retried: a full disk gets room again. Said once per kind of failure.
      if (e.what() != last_error) spdlog::error("state: cannot commit queued events and audit records: {}", e.what());
      last_error = e.what();
      backoff = std::clamp(backoff * 2, std::chrono::milliseconds(50), std::chrono::milliseconds(2000));
    }
    lock.lock();
    if (backoff.count() > 0) {
      if (queue_wake_.wait_for(lock, backoff, [&] { return stop_commits_; })) {
        if (!queue_.empty()) spdlog::error("state: {} queued writes could not be committed before stopping", queue_.size());
        return;
      }
    }
  }
}

}  // namespace fical::agent::store
