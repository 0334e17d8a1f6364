// A DNS server that answers every query NXDOMAIN: the private dockerd of the named-network
// test forwards names its embedded DNS does not know here (--dns), so none leaves the
// machine. Built static, it runs in a FROM scratch container on the test network.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

int main() {
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(53);
  address.sin_addr.s_addr = htonl(INADDR_ANY);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    std::perror("dns-stub: bind :53");
    return 1;
  }
  std::printf("dns-stub: answering NXDOMAIN on :53\n");
  std::fflush(stdout);
  unsigned long answered = 0;
  for (;;) {
    unsigned char packet[512];
    sockaddr_in peer{};
    socklen_t peer_size = sizeof peer;
    auto size = ::recvfrom(fd, packet, sizeof packet, 0, reinterpret_cast<sockaddr*>(&peer), &peer_size);
    if (size < 12 || (packet[2] & 0x80)) continue;  // shorter than a header, or a response
    packet[2] = static_cast<unsigned char>(0x80 | (packet[2] & 0x79));  // QR=1, opcode and RD kept
    packet[3] = 0x83;                                                  // RA=1, RCODE=3 (NXDOMAIN)
    std::memset(packet + 6, 0, 6);  // no answer, authority or additional records; question kept
    ::sendto(fd, packet, static_cast<std::size_t>(size), 0, reinterpret_cast<sockaddr*>(&peer), peer_size);
    if (++answered % 100 == 1) {
      std::printf("dns-stub: %lu queries answered\n", answered);
      std::fflush(stdout);
    }
  }
}
