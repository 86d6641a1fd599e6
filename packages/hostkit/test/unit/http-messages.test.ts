/** uri's and get_url's failure messages: curl's exit code and text, worded as Ansible's urllib words them. */
import { describe, expect, it } from 'vitest';
import { requestFailedMessage } from '../../src/index.js';

describe('requestFailedMessage', () => {
  it.each([
    [7, 'curl: (7) Failed to connect to localhost port 1: Connection refused', 'Request failed: <urlopen error [Errno 111] Connection refused>'],
    [6, 'curl: (6) Could not resolve host: does', 'Request failed: <urlopen error [Errno -2] Name or service not known>'],
    [28, 'curl: (28) Operation timed out', 'Connection failure: timed out'],
    [
      60,
      "curl: (60) SSL: no alternative certificate subject name matches target host name 'fail.ansible.http.tests' More details here: https://curl.se/docs/sslcerts.html  curl failed to verify",
      "Request failed: <urlopen error [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not valid for 'fail.ansible.http.tests'. (_ssl.c:992)>",
    ],
    [
      60,
      'curl: (60) SSL certificate problem: unable to get local issuer certificate More details here: https://curl.se/docs/sslcerts.html',
      'Request failed: <urlopen error [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:992)>',
    ],
    [
      60,
      'curl: (60) SSL certificate problem: self signed certificate in certificate chain',
      'Request failed: <urlopen error [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate in certificate chain (_ssl.c:992)>',
    ],
    [
      35,
      'curl: (35) OpenSSL/3.0.19: error:0A000410:SSL routines::sslv3 alert handshake failure',
      'Request failed: <urlopen error [SSL: SSLV3_ALERT_HANDSHAKE_FAILURE] sslv3 alert handshake failure (_ssl.c:992)>',
    ],
    [37, "curl: (37) Couldn't open file /tmp/x/aurlfile.txtNOFILE", "Request failed: <urlopen error [Errno 2] No such file or directory: '/tmp/x/aurlfile.txtNOFILE'>"],
    [52, 'curl: (52) Empty reply from server', 'Request failed: curl: (52) Empty reply from server'],
  ])('curl exit %i: %s', (exit, stderr, expected) => {
    expect(requestFailedMessage(exit, stderr)).toBe(expected);
  });
});
