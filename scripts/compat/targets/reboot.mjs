/**
 * reboot's setup adaptation for ansible-targets.mjs (the same for both tools): check_reboot.yml asserts
 * `reboot_result.elapsed > 10`, the time a real machine takes to go down and come back. A lab host
 * boots in 1-3 s, so its sshd is made to start 12 s into the boot, as a VM's would come back. Both
 * tools still have to see the boot id change and the test command succeed, through the host's own
 * init; only the wait is longer. Each tool's run starts once sshd listens again. Put back when the
 * harness stops.
 *  - systemd: a drop-in of ssh.service, ExecStartPre=/bin/sleep 12;
 *  - sysvinit: /etc/default/ssh (which /etc/init.d/ssh sources) sleeps 12 s on `start` only.
 */
const DROP_IN = '/etc/systemd/system/ssh.service.d/haweb-boot-delay.conf';
const MARK = '# haweb: reboot target boot delay';
const SECONDS = 12;

export function setupRebootTarget({ onHost }) {
  const install =
    `if [ -d /run/systemd/system ]; then mkdir -p ${DROP_IN.replace(/\/[^/]+$/, '')} && ` +
    `printf '[Service]\\nExecStartPre=/bin/sleep ${SECONDS}\\n' > ${DROP_IN} && systemctl daemon-reload; ` +
    `elif ! grep -q '${MARK}' /etc/default/ssh 2>/dev/null; then ` +
    `printf '%s\\ncase "$1" in start) sleep ${SECONDS} ;; esac\\n' '${MARK}' >> /etc/default/ssh; fi`;
  const remove =
    `if [ -e ${DROP_IN} ]; then rm -f ${DROP_IN} && systemctl daemon-reload; fi; ` +
    `if [ -e /etc/default/ssh ]; then sed -i '/^${MARK}$/,+1d' /etc/default/ssh; fi`;
  return {
    /** Before each tool's run: the delay in place, and sshd up (the run before may have just rebooted the host). */
    prepare() {
      onHost(install);
      onHost('for i in $(seq 1 60); do ss -ltn | grep -q ":22 " && exit 0; sleep 1; done; echo "sshd is not listening after 60 s" >&2; exit 1');
    },
    stop() {
      onHost(remove);
    },
  };
}
