#include "agent/http/listeners.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "agent/http/unix_socket_probe.hpp"

namespace fical::agent::http {
namespace {

namespace net = boost::asio;

net::ip::tcp::acceptor open_tcp(net::io_context& io, const config::ListenAddress& address,
                                const config::HttpOptions& options) {
  if (!address.is_loopback() && !options.tls && !options.insecure) {
    throw std::runtime_error(address.text + ": not a loopback address; configure tls, or set "
                             "insecure: true to send bearer tokens in clear text");
  }
  boost::system::error_code ec;
  auto ip = net::ip::make_address(address.host, ec);
  if (ec) throw std::runtime_error(address.text + ": not an IP address");
  net::ip::tcp::endpoint endpoint{ip, address.port};
  net::ip::tcp::acceptor acceptor{io};
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec && ip.is_v6()) acceptor.set_option(net::ip::v6_only(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error(address.text + ": " + ec.message());
  return acceptor;
}

net::local::stream_protocol::acceptor open_unix(net::io_context& io, const std::string& path) {
  remove_stale_unix_socket(path);
  boost::system::error_code ec;
  net::local::stream_protocol::acceptor acceptor{io};
  acceptor.open(net::local::stream_protocol{}, ec);
  // The socket file is created by bind(): a umask makes it 0660 from the start.
  auto previous = ::umask(0117);
  if (!ec) acceptor.bind(net::local::stream_protocol::endpoint{path}, ec);
  ::umask(previous);
  if (!ec && ::chmod(path.c_str(), 0660) != 0) {
    ec = boost::system::error_code(errno, boost::system::system_category());
  }
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("unix:" + path + ": " + ec.message());
  return acceptor;
}

}  // namespace

void remove_stale_unix_socket(const std::string& path) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) return;
    throw std::runtime_error("unix:" + path + ": " + std::strerror(errno));
  }
  if (!S_ISSOCK(info.st_mode)) {
    throw std::runtime_error("unix:" + path + ": exists and is not a socket; not replacing it");
  }
  if (unix_socket_answers(path)) {
    throw std::runtime_error("unix:" + path + ": another process is listening on it");
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    throw std::runtime_error("unix:" + path + ": cannot remove the stale socket: " +
                             std::strerror(errno));
  }
}

OpenListeners open_listeners(net::io_context& io, const config::HttpOptions& options) {
  OpenListeners open;
  for (const auto& address : options.listen) {
    if (address.kind == config::ListenAddress::Kind::tcp) {
      open.tcp.push_back(open_tcp(io, address, options));
    } else {
      open.unix_sockets.push_back(open_unix(io, address.path));
      open.unix_paths.push_back(address.path);
    }
  }
  return open;
}

net::ssl::context make_tls_context(const config::TlsFiles& files) {
  net::ssl::context context{net::ssl::context::tls_server};
  context.set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                      net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                      net::ssl::context::no_tlsv1_1 | net::ssl::context::single_dh_use);
  boost::system::error_code ec;
  context.use_certificate_chain_file(files.cert_file, ec);
  if (ec) throw std::runtime_error("tls.cert_file " + files.cert_file + ": " + ec.message());
  context.use_private_key_file(files.key_file, net::ssl::context::pem, ec);
  if (ec) throw std::runtime_error("tls.key_file " + files.key_file + ": " + ec.message());
  return context;
}

}  // namespace fical::agent::http
