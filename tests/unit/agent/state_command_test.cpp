#include "agent/state_command.hpp"

#include <catch2/catch.hpp>
#include <sstream>

#include "agent/store/sqlite.hpp"
#include "agent/store/state_store.hpp"
#include "tests/support/test_env.hpp"

using namespace fical::agent;
namespace fs = std::filesystem;

namespace {

struct Run {
  int code;
  std::string out, err;
};

Run run(StateCommand command, const fs::path& dir, const std::string& file = {}) {
  Options options;
  options.state_command = command;
  options.backup_file = file;
  std::ostringstream out, err;
  int code = run_state_command(options, dir, out, err);
  return {code, out.str(), err.str()};
}

}  // namespace

TEST_CASE("state check, dump and backup beside a running agent", "[agent][state]") {
  fical::testing::TempDir tmp;
  store::StateStore agent(tmp.path());  // holds agent.lock, as the daemon does
  fical::proto::Deployment d;
  d.id = "d-1";
  d.app = "web";
  d.env = "prod";
  d.created_at = fical::proto::now_ms();
  d.events = {{0, d.created_at, fical::proto::Phase::pull, fical::proto::EventLevel::info, "pulling", nullptr}};
  agent.save_deployment(d);

  CHECK(run(StateCommand::check, tmp.path()).code == 0);
  auto dump = run(StateCommand::dump, tmp.path());
  REQUIRE(dump.code == 0);
  auto json = nlohmann::json::parse(dump.out);
  CHECK(json["deployments"].at(0)["id"] == "d-1");
  CHECK(json["deployments"].at(0)["events"].size() == 1);

  auto copy = tmp.path() / "copy.db";
  CHECK(run(StateCommand::backup, tmp.path(), copy.string()).code == 0);
  {
    store::Connection db(copy, store::Connection::Mode::read_only);
    CHECK(db.scalar_int("SELECT count(*) FROM events") == 1);
  }
  CHECK(run(StateCommand::backup, tmp.path(), copy.string()).code == 1);  // never overwrites

  {
    store::Connection db(tmp.path() / "fical.db", store::Connection::Mode::read_write);
    db.exec("DELETE FROM deployments");  // events left without their deployment
  }
  auto check = run(StateCommand::check, tmp.path());
  CHECK(check.code == 1);
  CHECK_THAT(check.out, Catch::Contains("d-1"));
  CHECK(run(StateCommand::check, tmp.path() / "missing").code == 1);
}
