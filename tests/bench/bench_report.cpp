#include "tests/bench/bench_report.hpp"

#include <cstdio>

namespace fical::bench {
namespace {

using std::chrono::milliseconds;

std::string ms(std::optional<milliseconds> value) {
  return value ? std::to_string(value->count()) + " ms" : "never";
}

std::optional<milliseconds> overhead(const Row& row) {
  if (!row.m.to_live) return std::nullopt;
  return *row.m.to_live - row.boot;
}

std::string fixed(const char* format, double value) {
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

const Row* baseline(const std::vector<Row>& rows) {
  for (const auto& r : rows) {
    if (r.target == Target::none) return &r;
  }
  return nullptr;
}

}  // namespace

std::string verdict(const Row& row) {
  if (row.target == Target::none) return "baseline";
  if (row.target == Target::limit) return row.m.command.exit_code == 0 ? "limit" : "limit FAILED: " + row.m.command.err;
  std::string missed;
  auto miss = [&](const std::string& what) { missed += (missed.empty() ? "MISSED: " : "; ") + what; };
  if (row.m.command.exit_code != 0) miss("command exited " + std::to_string(row.m.command.exit_code));
  if (row.m.load.failed > 0) miss(std::to_string(row.m.load.failed) + " failed requests");
  if (row.m.load.longest_gap > milliseconds(100)) miss("gap " + ms(row.m.load.longest_gap) + " > 100 ms");
  if (!row.m.to_live) {
    miss("the new version never served");
  } else if (row.target == Target::deploy && *overhead(row) >= milliseconds(300)) {
    miss("overhead " + ms(overhead(row)) + " >= 300 ms");
  } else if (row.target == Target::rollback && *overhead(row) >= milliseconds(300)) {
    miss("to live " + ms(row.m.to_live) + " >= 300 ms + boot");
  } else if (row.target == Target::warm_rollback && *row.m.to_live >= milliseconds(100)) {
    miss("to live " + ms(row.m.to_live) + " >= 100 ms");
  }
  return missed.empty() ? "ok" : missed;
}

void print_table(std::ostream& out, const std::vector<Row>& rows) {
  char line[512];
  std::snprintf(line, sizeof line, "%-38s %7s %6s %5s %9s %9s %9s %6s %10s  %s\n", "scenario", "ok", "failed",
                "retry", "max gap", "to live", "command", "boot", "overhead", "target");
  out << line << std::string(118, '-') << "\n";
  for (const auto& r : rows) {
    std::snprintf(line, sizeof line, "%-38s %7llu %6llu %5llu %9s %9s %9s %6s %10s  %s\n", r.m.name.c_str(),
                  static_cast<unsigned long long>(r.m.load.ok), static_cast<unsigned long long>(r.m.load.failed),
                  static_cast<unsigned long long>(r.m.load.retries), ms(r.m.load.longest_gap).c_str(),
                  ms(r.m.to_live).c_str(), ms(r.m.command.wall).c_str(), ms(r.boot).c_str(), ms(overhead(r)).c_str(),
                  verdict(r).c_str());
    out << line;
  }
  const Row* base = baseline(rows);
  if (!base || !base->m.to_live) return;
  out << "\nagainst the compose baseline (" << base->m.name << "): failed requests " << base->m.load.failed
      << ", longest gap " << ms(base->m.load.longest_gap) << ", to live " << ms(base->m.to_live) << "\n";
  for (const auto& r : rows) {
    if (&r == base || !r.m.to_live || r.target == Target::limit) continue;
    double gap = base->m.load.longest_gap.count() > 0
                     ? double(r.m.load.longest_gap.count()) / double(base->m.load.longest_gap.count())
                     : 0;
    out << "  " << r.m.name << ": to live x" << fixed("%.2f", double(r.m.to_live->count()) / double(base->m.to_live->count()))
        << ", longest gap x" << fixed("%.3f", gap) << ", failed " << r.m.load.failed << " vs " << base->m.load.failed << "\n";
  }
}

void print_phases(std::ostream& out, const std::vector<Row>& rows) {
  for (const auto& r : rows) {
    if (!r.m.record) continue;
    const auto& d = *r.m.record;
    out << "\n" << r.m.name << " (deployment " << d.id << ", " << proto::to_string(d.state)
        << "): ms after the client started\n";
    out << "  request accepted  +" << (d.created_at - r.m.started_at).count() << "\n";
    for (const auto& p : d.phases) {
      char line[200];
      auto begin = (p.started - r.m.started_at).count();
      auto length = p.ended ? (*p.ended - p.started).count() : -1;
      std::snprintf(line, sizeof line, "  %-16s  +%-6lld %6lld ms\n", std::string(proto::to_string(p.phase)).c_str(),
                    static_cast<long long>(begin), static_cast<long long>(length));
      out << line;
    }
    if (d.ended_at) out << "  ended             +" << (*d.ended_at - r.m.started_at).count() << "\n";
    out << "  client exited     +" << r.m.command.wall.count() << "\n";
    out << "  nginx served " << r.m.expected_version << "   +" << ms(r.m.to_live) << "\n";
  }
}

bool print_limit_comparison(std::ostream& out, const std::vector<Row>& rows, const std::vector<LimitPair>& pairs) {
  out << "\nagainst the limit (hand-made optimal switch: same migration, create+start, /health every 10 ms, "
         "upstream rename, SIGHUP)\n";
  char line[300];
  std::snprintf(line, sizeof line, "  %-28s %9s %9s %7s %13s %17s  %s\n", "fical scenario", "fical", "limit", "ratio",
                "failed f/l", "longest gap f/l", "target");
  out << line;
  bool all_met = !pairs.empty();  // each pair's failed requests and gap; the ratio over all
  long long fical_sum = 0, limit_sum = 0;
  for (const auto& p : pairs) {
    const auto& f = rows.at(p.fical).m;
    const auto& l = rows.at(p.limit).m;
    if (!f.to_live || !l.to_live) {
      out << "  " << f.name << ": never served (fical " << ms(f.to_live) << ", limit " << ms(l.to_live) << ")\n";
      all_met = false;
      continue;
    }
    fical_sum += f.to_live->count();
    limit_sum += l.to_live->count();
    double ratio = double(f.to_live->count()) / double(l.to_live->count());
    bool pair_met = f.load.failed == 0 && f.load.longest_gap <= l.load.longest_gap + milliseconds(10) &&
                    f.command.exit_code == 0;
    bool met = pair_met && ratio <= 1.05;
    all_met = all_met && pair_met;
    std::snprintf(line, sizeof line, "  %-28s %9s %9s %7s %6llu/%-6llu %8s/%-8s  %s\n", f.name.c_str(),
                  ms(f.to_live).c_str(), ms(l.to_live).c_str(), fixed("x%.3f", ratio).c_str(),
                  static_cast<unsigned long long>(f.load.failed), static_cast<unsigned long long>(l.load.failed),
                  ms(f.load.longest_gap).c_str(), ms(l.load.longest_gap).c_str(), met ? "met" : "MISSED");
    out << line;
    out << "    limit's steps:";
    for (const auto& [name, took] : p.limit_steps) out << " " << name << " " << took.count() << " ms;";
    out << "\n";
    if (f.record) {
      out << "    fical's: accepted +" << (f.record->created_at - f.started_at).count() << " ms;";
      for (const auto& ph : f.record->phases) {
        if (ph.phase > proto::Phase::switch_traffic) break;
        auto length = ph.ended ? (*ph.ended - ph.started).count() : -1;
        out << " " << proto::to_string(ph.phase) << " " << length << " ms;";
      }
      out << " nginx served at +" << f.to_live->count() << " ms\n";
      // Each event is one SQLite transaction (synchronous=FULL) on the deployment's thread.
      std::size_t before_switch = 0;
      for (const auto& e : f.record->events) before_switch += e.phase < proto::Phase::switch_traffic;
      out << "    fical recorded " << before_switch << " events before the switch\n";
    }
  }
  double total_ratio = limit_sum > 0 ? double(fical_sum) / double(limit_sum) : 0;
  all_met = all_met && limit_sum > 0 && total_ratio <= 1.05;
  if (limit_sum > 0) {
    out << "  over all pairs: fical " << fical_sum << " ms, limit " << limit_sum << " ms, x"
        << fixed("%.3f", total_ratio) << " (target <= x1.05; 0 failed and gap <= limit's + 10 ms in each): "
        << (all_met ? "met" : "MISSED") << "\n";
  }
  return all_met;
}

}  // namespace fical::bench
