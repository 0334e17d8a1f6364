#include "client/progress_view.hpp"

#include <ostream>

#include "client/plain_progress.hpp"
#include "client/tty_progress.hpp"

namespace fical::client {
namespace {

/// --json: nothing while it runs, then the deployment record as the agent returned it.
class JsonView final : public ProgressView {
 public:
  explicit JsonView(std::ostream& out) : out_(out) {}
  void started(const proto::Deployment&) override {}
  void event(const proto::Event&) override {}
  void notice(std::string_view) override {}
  void finished(const proto::Deployment& d) override { out_ << to_json(d).dump(2) << "\n"; }
  void gave_up(const proto::Deployment& d, std::string_view) override {
    out_ << to_json(d).dump(2) << "\n";
  }

 private:
  std::ostream& out_;
};

}  // namespace

std::unique_ptr<ProgressView> make_progress_view(OutputMode mode, std::ostream& out,
                                                 std::size_t width) {
  switch (mode) {
    case OutputMode::tty:
      return std::make_unique<TtyProgress>(out, width);
    case OutputMode::json:
      return std::make_unique<JsonView>(out);
    case OutputMode::plain:
      break;
  }
  return std::make_unique<PlainProgress>(out);
}

}  // namespace fical::client
