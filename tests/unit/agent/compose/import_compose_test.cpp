// The compose corpus (tests/fixtures/compose): each case's stdout, stderr and exit code
// from the real subcommand's code path, and every mapped output read back by parse_config.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "agent/config/config.hpp"
#include "agent/import_compose_command.hpp"
#include "agent/options.hpp"

namespace fs = std::filesystem;
using namespace fical::agent;

namespace {

const fs::path kCorpus = fs::path(FICAL_SOURCE_DIR) / "tests/fixtures/compose";

std::string read(const fs::path& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

struct Ran {
  int exit_code = -1;
  std::string out, err;
};

// The case through the command line parser and the subcommand, as fical-agent runs it.
Ran run_case(const std::string& name) {
  auto dir = kCorpus / name;
  std::vector<std::string> argv{"fical-agent", "import-compose",
                                (dir / "docker-compose.yml").string()};
  for (const auto& arg : lines(read(dir / "args"))) argv.push_back(arg);
  auto parsed = parse_options(argv);
  REQUIRE(parsed.options);
  REQUIRE(parsed.options->import_compose);
  std::map<std::string, std::string> environment;
  if (fs::exists(dir / "process.env")) {
    for (const auto& line : lines(read(dir / "process.env"))) {
      environment[line.substr(0, line.find('='))] = line.substr(line.find('=') + 1);
    }
  }
  std::ostringstream out, err;
  Ran ran;
  ran.exit_code = run_import_compose(*parsed.options->import_compose, environment, out, err);
  ran.out = out.str();
  ran.err = err.str();
  return ran;
}

// A minimal agent.yaml around an imported apps: section.
std::string wrapped(const std::string& apps_yaml) {
  return "listen: [\"127.0.0.1:7070\"]\n"
         "tokens: [{ id: ci, sha256: \"" +
         std::string(64, 'a') +
         "\", scopes: [read, deploy] }]\n"
         "nginx: { upstream_dir: /tmp/upstreams }\n" +
         apps_yaml;
}

}  // namespace

TEST_CASE("the compose corpus maps to its expected apps: and report", "[compose]") {
  auto name =
      GENERATE(as<std::string>{}, "seed", "web-ports", "volumes-limits", "anchors-interpolation");
  DYNAMIC_SECTION(name) {
    auto dir = kCorpus / name;
    auto ran = run_case(name);
    INFO(ran.err);
    CHECK(ran.exit_code == 0);
    CHECK(ran.out == replace_all(read(dir / "expected.yaml"), "@DIR@", dir.string()));
    CHECK(ran.err == replace_all(read(dir / "expected.err"), "@DIR@", dir.string()));

    // Round trip: what it printed is an apps: section agent.yaml accepts.
    auto config = config::parse_config(wrapped(ran.out));
    std::string errors;
    for (const auto& e : config.errors) errors += e.to_string() + "\n";
    INFO(errors);
    CHECK(config.errors.empty());
    CHECK(config.config.has_value());
  }
}

TEST_CASE("invalid compose files are exit 1 with their exact errors and no YAML", "[compose]") {
  auto name = GENERATE(as<std::string>{}, "invalid-tab", "invalid-no-image", "invalid-top-level",
                       "invalid-required-unset");
  DYNAMIC_SECTION(name) {
    auto dir = kCorpus / name;
    auto ran = run_case(name);
    CHECK(ran.exit_code == 1);
    CHECK(ran.out.empty());
    CHECK(ran.err == replace_all(read(dir / "expected.err"), "@DIR@", dir.string()));
  }
}

TEST_CASE("the seed app's environments differ only in their env_file", "[compose]") {
  auto ran = run_case("seed");
  REQUIRE(ran.exit_code == 0);
  auto parsed = config::parse_config(wrapped(ran.out));
  REQUIRE(parsed.config);
  const auto& app = parsed.config->apps.at(0);
  CHECK(app.name == "filter-ical");
  REQUIRE(app.source);
  CHECK(app.source->repo == "https://github.com/owner/filter-ical");
  REQUIRE(app.environments.size() == 2);
  for (const auto& env : app.environments) {
    CHECK(env.network == "platform");
    REQUIRE(env.env_file);
    CHECK(*env.env_file == (kCorpus / "seed" / (".env." + env.name)).string());
    REQUIRE(env.services.size() == 2);
    const auto& backend = env.services[0];
    CHECK(backend.name == "backend");
    REQUIRE(backend.build);
    CHECK(backend.build->context == "backend");
    CHECK(backend.port == 3000);
    // The curl of a local URL becomes fical's own HTTP probe (of the container's address).
    CHECK(backend.health.http_path == "/health");
    CHECK(backend.health.exec.empty());
    CHECK(backend.health.deadline == std::chrono::seconds(70));
    CHECK(env.services[1].name == "frontend");
  }
}

TEST_CASE("import-compose's --env takes NAME=VAR=VALUE[,VAR=VALUE...]", "[compose]") {
  auto request = std::get<compose::EnvRequest>(
      parse_env_request("staging=ENVIRONMENT=staging,REGION=eu-north-1"));
  CHECK(request.name == "staging");
  CHECK(request.variables ==
        std::map<std::string, std::string>{{"ENVIRONMENT", "staging"}, {"REGION", "eu-north-1"}});
  CHECK(std::get<compose::EnvRequest>(parse_env_request("production")).variables.empty());
  CHECK(std::get<std::string>(parse_env_request("staging=oops")) ==
        "--env staging: \"oops\" is not VAR=VALUE");
  CHECK(std::holds_alternative<std::string>(parse_env_request("=A=b")));
}

TEST_CASE("import-compose refuses --source with --image-prefix and a missing file", "[compose]") {
  ImportComposeOptions options;
  options.file = (kCorpus / "seed" / "docker-compose.yml").string();
  options.source = "https://github.com/owner/app";
  options.image_prefix = "ghcr.io/owner";
  std::ostringstream out, err;
  CHECK(run_import_compose(options, {}, out, err) == 2);
  CHECK(out.str().empty());
  options.image_prefix.clear();
  options.file = (kCorpus / "no-such-case" / "docker-compose.yml").string();
  CHECK(run_import_compose(options, {}, out, err) == 1);
  CHECK(out.str().empty());
}

TEST_CASE("the import-compose command line: one value per --env, FILE required", "[compose]") {
  auto parsed = parse_options({"fical-agent", "import-compose", "compose.yml", "--env", "a=X=1",
                               "--env", "b", "--app", "web", "--image-prefix", "ghcr.io/owner"});
  REQUIRE(parsed.options);
  REQUIRE(parsed.options->import_compose);
  const auto& options = *parsed.options->import_compose;
  CHECK(options.file == "compose.yml");
  CHECK(options.environments == std::vector<std::string>{"a=X=1", "b"});
  CHECK(options.app == "web");
  CHECK(options.image_prefix == "ghcr.io/owner");
  CHECK_FALSE(parse_options({"fical-agent", "import-compose"}).options);
  CHECK(parse_options({"fical-agent", "import-compose"}).exit_code == 2);
  CHECK_FALSE(parse_options({"fical-agent", "--config", "x.yaml"}).options->import_compose);
}

namespace {

compose::ImportResult import_text(const std::string& text, compose::ImportOptions options = {}) {
  compose::ComposeInput input;
  input.text = text;
  input.directory = "/srv/My_Project";
  return compose::import_compose(input, options);
}

bool reported(const compose::ImportResult& result, const std::string& line) {
  for (const auto& item : result.report) {
    if (item.to_string() == line) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("compose names become fical names, the directory names the app", "[compose]") {
  auto result = import_text(
      "services:\n  Admin_Panel:\n    image: ghcr.io/o/admin\n    depends_on: [api.v2]\n"
      "  api.v2:\n    image: ghcr.io/o/api\n");
  REQUIRE(result.ok());
  auto parsed = config::parse_config(wrapped(result.yaml));
  REQUIRE(parsed.config);
  const auto& app = parsed.config->apps.at(0);
  CHECK(app.name == "my-project");
  const auto& services = app.environments.at(0).services;
  REQUIRE(services.size() == 2);
  CHECK(services[0].name == "api-v2");  // listed before what depends on it
  CHECK(services[1].name == "admin-panel");
  CHECK(reported(result,
                 "note: services.Admin_Panel: named admin-panel in agent.yaml (fical names are "
                 "a-z, 0-9 and -)"));
}

TEST_CASE("build needs --source or --image-prefix, the prefix names the images", "[compose]") {
  const std::string text = "services:\n  api:\n    build: { context: ./api, target: prod }\n";
  auto refused = import_text(text);
  REQUIRE(refused.errors.size() == 1);
  CHECK(refused.errors[0] ==
        "services.api.build: fical does not build from a directory: give --source REPO (build on "
        "the host from git) "
        "or --image-prefix REGISTRY/OWNER (images CI pushes)");
  compose::ImportOptions options;
  options.image_prefix = "ghcr.io/owner";
  auto prefixed = import_text(text, options);
  REQUIRE(prefixed.ok());
  auto parsed = config::parse_config(wrapped(prefixed.yaml));
  REQUIRE(parsed.config);
  CHECK(parsed.config->apps[0].environments[0].services[0].image == "ghcr.io/owner/my-project-api");
  options = {};
  options.source = "/srv/repo.git";
  CHECK(import_text("services:\n  api:\n    build: { context: ../elsewhere }\n", options).errors ==
        std::vector<std::string>{
            "services.api.build: \"../elsewhere\" leaves the repository: fical builds inside its "
            "source checkout"});
}

TEST_CASE("accessories are reported, never silently dropped, and not all may be", "[compose]") {
  auto only = import_text("services:\n  db:\n    image: postgres:16\n  cache:\n    image: redis\n");
  CHECK(only.errors == std::vector<std::string>{
                           "services: every service is an accessory: nothing for fical to deploy"});
  auto mixed = import_text(
      "services:\n  web:\n    image: ghcr.io/o/web\n    expose: [\"80\"]\n"
      "  certbot:\n    image: certbot/certbot:latest\n");
  REQUIRE(mixed.ok());
  CHECK(reported(
      mixed,
      "accessory: services.certbot: certbot: not deployed by fical; keep it running as it is "
      "(docker compose up -d certbot)"));
  CHECK(mixed.yaml.find("certbot") == std::string::npos);

  // x-fical: {accessory: ...} overrides the guess both ways.
  auto told = import_text(
      "services:\n  site:\n    image: nginx:1.27\n    expose: [\"80\"]\n    x-fical: { accessory: "
      "false }\n"
      "  mailer:\n    image: ghcr.io/o/mailer\n    x-fical: { accessory: true }\n");
  REQUIRE(told.ok());
  CHECK(told.yaml.find("          site:\n            image: nginx  # compose pinned :1.27") !=
        std::string::npos);
  CHECK(told.yaml.find("mailer") == std::string::npos);
  CHECK(reported(
      told,
      "accessory: services.mailer: x-fical.accessory: not deployed by fical; keep it running as "
      "it is (docker compose up -d mailer)"));
}

TEST_CASE("one env_file per environment, a disabled healthcheck on a routed service", "[compose]") {
  auto result = import_text(
      "services:\n  web:\n    image: ghcr.io/o/web\n    ports: [\"8000:8000\"]\n    env_file: "
      "[.env.web, .env.extra]\n"
      "    healthcheck: { disable: true }\n  worker:\n    image: ghcr.io/o/web\n    env_file: "
      "/etc/app/worker.env\n");
  REQUIRE(result.ok());
  auto parsed = config::parse_config(wrapped(result.yaml));
  REQUIRE(parsed.config);
  const auto& env = parsed.config->apps[0].environments[0];
  CHECK(env.env_file == "/srv/My_Project/.env.web");
  CHECK(env.services[0].health.http_path == "/");
  CHECK(reported(
      result,
      "not mapped: services.web.env_file[1]: fical reads one env_file per environment; merge it "
      "into .env.web"));
  CHECK(reported(result,
                 "not mapped: services.worker.env_file: fical reads one env_file per environment "
                 "(/srv/My_Project/.env.web): merge them"));
}

TEST_CASE("a compose file of the wrong shapes is an error, not a crash", "[compose]") {
  for (const char* text :
       {"services: [web]\n", "services:\n  web: 5\n", "services:\n  web:\n    build: { args: 5 }\n",
        "services:\n  web:\n    image: [a]\n    ports: 80\n    healthcheck: { test: 5 }\n",
        "services:\n  web:\n    image: x\n    volumes: {a: b}\n    deploy: 3\n    logging: 1\n",
        "- a\n", "services:\n  web:\n    image: x\n    environment: 5\n    labels: [a=b]\n"}) {
    INFO(text);
    auto result = import_text(text);
    if (result.ok()) {
      CHECK(config::parse_config(wrapped(result.yaml)).errors.size() < 100);  // it printed YAML
    } else {
      CHECK_FALSE(result.errors.at(0).empty());
    }
  }
}
