/*
 * The floor for one ping: the least a process can do to get one echo reply.
 *
 * It opens an unprivileged ICMP datagram socket, sends one echo request to
 * 127.0.0.1, waits (at most 2 s) for the reply and exits 0 if one came.
 * No name resolution, no output, no timing: bench/run compares every ping
 * against this to show what the process itself costs.
 *
 * Build: gcc -O2 -o floor floor.c
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
    if (fd < 0)
        return 2;

    struct sockaddr_in to;
    memset(&to, 0, sizeof to);
    to.sin_family = AF_INET;
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

    /* The kernel fills in the identifier and the checksum of a ping socket. */
    unsigned char request[64];
    memset(request, 0, sizeof request);
    struct icmphdr *header = (struct icmphdr *)request;
    header->type = ICMP_ECHO;
    header->un.echo.sequence = htons(1);

    if (sendto(fd, request, sizeof request, 0, (struct sockaddr *)&to, sizeof to) < 0)
        return 2;

    struct pollfd readable = {.fd = fd, .events = POLLIN};
    if (poll(&readable, 1, 2000) != 1)
        return 1;

    unsigned char reply[128];
    ssize_t got = recv(fd, reply, sizeof reply, 0);
    if (got < (ssize_t)sizeof(struct icmphdr) || ((struct icmphdr *)reply)->type != ICMP_ECHOREPLY)
        return 1;

    close(fd);
    return 0;
}
