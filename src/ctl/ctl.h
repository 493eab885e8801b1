/* SPDX-License-Identifier: MIT */
/* Commands of the socksify-ctl helper. */
#ifndef SOCKSIFY_CTL_CTL_H
#define SOCKSIFY_CTL_CTL_H

/* `socksify --check [HOST:PORT]`: exit status 0 when the proxy works. */
int ctl_check(const char *target);

#endif
