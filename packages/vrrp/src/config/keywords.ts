/**
 * keepalived keywords vrrpd reads but does not implement, by block. Each one either changes what a
 * VRRP speaker does in keepalived, and is then named in a warning saying what keepalived would have
 * done (`effects`), or has no effect on a VRRP speaker at all (SMTP mail, LVS/IPVS, SNMP), and is then
 * ignored and listed once by `vrrpd -t` (`noEffect`). docs/compatibility/keepalived-conf.md tabulates both.
 */
export interface KeywordTable {
  where: string;
  effects: Readonly<Record<string, string>>;
  noEffect: ReadonlySet<string>;
}

const SMTP = ['notification_email', 'notification_email_from', 'smtp_server', 'smtp_connect_timeout', 'smtp_helo_name', 'smtp_alert', 'smtp_alert_vrrp', 'smtp_alert_checker', 'no_email_faults', 'no_checker_emails'];
const SNMP = ['snmp_socket', 'enable_traps', 'enable_snmp_vrrp', 'enable_snmp_keepalived', 'enable_snmp_rfc', 'enable_snmp_rfcv2', 'enable_snmp_rfcv3', 'enable_snmp_checker'];
const LVS = [
  'lvs_id', 'lvs_timeouts', 'lvs_flush', 'lvs_flush_on_stop', 'lvs_flush_onstop', 'lvs_sync_daemon', 'lvs_notify_fifo', 'lvs_notify_fifo_script',
  'lvs_process_name', 'checker_process_name', 'checker_priority', 'checker_no_swap', 'checker_rt_priority', 'checker_cpu_affinity', 'checker_rlimit_rttime',
  'checker_rlimit_rtime', 'checker_log_all_failures', 'lvs_netlink_cmd_rcv_bufs', 'lvs_netlink_cmd_rcv_bufs_force', 'lvs_netlink_monitor_rcv_bufs',
  'lvs_netlink_monitor_rcv_bufs_force', 'nftables_ipvs', 'nftables_ipvs_priority', 'nftables_ipvs_start_fwmark', 'rs_init_notifies',
];

const FIREWALL = 'adds firewall rules (iptables/ipset/nftables) that drop traffic to the VIPs while not MASTER (with vrrp_strict or no_accept)';
const SCHEDULING = 'sets the scheduling, memory locking or CPU affinity of its VRRP process';
const BUFFERS = 'sizes its netlink/receive socket buffers';

export const GLOBAL_KEYWORDS: KeywordTable = {
  where: 'global_defs',
  effects: {
    vrrp_strict: 'runs in strict RFC mode: refuses unicast peers and authentication, forbids more than 20 VIPs and a priority-255 owner without accept, sends no gratuitous ARP after a lower-priority advert, and with vrrp_iptables blocks traffic to the VIPs',
    vrrp_iptables: FIREWALL, vrrp_ipsets: FIREWALL, nftables: FIREWALL, nftables_priority: FIREWALL, nftables_ifindex: FIREWALL, nftables_counters: FIREWALL,
    vrrp_skip_check_adv_addr: "skips checking an advert's address list when it comes from the current master",
    vrrp_check_unicast_src: 'drops unicast adverts whose source is not listed in unicast_peer',
    vrrp_lower_prio_no_advert: 'does not answer a lower-priority advert with an advert of its own while MASTER',
    vrrp_higher_prio_send_advert: 'sends one advert of its own before yielding to a higher-priority master',
    vrrp_startup_delay: 'waits this long after starting before any VRRP instance starts',
    vrrp_mcast_group4: 'sends and listens for adverts on this IPv4 multicast group instead of 224.0.0.18',
    vrrp_mcast_group6: 'sends and listens for IPv6 adverts on this group',
    vrrp_gna_interval: 'spaces IPv6 unsolicited neighbour advertisements by this interval',
    vrrp_garp_extra_if: 'sends gratuitous ARPs on other interfaces of the host as well',
    vrrp_vmac_garp_intvl: 'sends gratuitous ARPs on the VMAC interfaces periodically',
    vrrp_down_timer_adverts: 'changes how many missed adverts make a backup take over (default 3)',
    vrrp_notify_priority_changes: 'runs the notify scripts on every priority change',
    notify_fifo: 'writes every state change to this FIFO', notify_fifo_script: 'runs this script reading the notify FIFO',
    vrrp_notify_fifo: 'writes every VRRP state change to this FIFO', vrrp_notify_fifo_script: 'runs this script reading the VRRP notify FIFO',
    fifo_write_vrrp_states_on_reload: 'writes every instance state to the notify FIFO on reload',
    vrrp_priority: SCHEDULING, vrrp_no_swap: SCHEDULING, vrrp_rt_priority: SCHEDULING, vrrp_cpu_affinity: SCHEDULING, vrrp_rlimit_rttime: SCHEDULING,
    vrrp_rlimit_rtime: SCHEDULING, max_auto_priority: SCHEDULING, min_auto_priority_delay: SCHEDULING,
    bfd_priority: SCHEDULING, bfd_no_swap: SCHEDULING, bfd_rt_priority: SCHEDULING, bfd_cpu_affinity: SCHEDULING, bfd_rlimit_rttime: SCHEDULING, bfd_rlimit_rtime: SCHEDULING,
    vrrp_netlink_cmd_rcv_bufs: BUFFERS, vrrp_netlink_cmd_rcv_bufs_force: BUFFERS, vrrp_netlink_monitor_rcv_bufs: BUFFERS, vrrp_netlink_monitor_rcv_bufs_force: BUFFERS,
    process_monitor_rcv_bufs: BUFFERS, process_monitor_rcv_bufs_force: BUFFERS, vrrp_rx_bufs_policy: BUFFERS, vrrp_rx_bufs_multiplier: BUFFERS,
    dynamic_interfaces: 'accepts instances on interfaces that do not exist yet and follows interfaces coming and going',
    default_interface: 'puts static and virtual addresses without `dev` on this interface',
    disable_local_igmp: 'stops the kernel sending IGMP reports for the VRRP group',
    process_names: 'names its processes', process_name: 'names its processes', vrrp_process_name: 'names its VRRP process', bfd_process_name: 'names its BFD process',
    startup_script: 'runs this script before starting', startup_script_timeout: 'bounds the startup script', shutdown_script: 'runs this script after stopping', shutdown_script_timeout: 'bounds the shutdown script',
    enable_dbus: 'offers a DBus interface to read and change instance state', dbus_service_name: 'names its DBus service',
    log_unknown_vrids: 'logs adverts for VRIDs it has no instance for',
    vmac_prefix: 'names VMAC interfaces with this prefix', vmac_addr_prefix: 'names VMAC addresses with this prefix',
    umask: 'creates its files with this umask', random_seed: 'seeds $_RANDOM and its timers with this value',
    reload_check_config: 'checks a new configuration in a separate process before reloading', reload_time_file: 'reloads at the time written in this file',
    reload_repeat: 'repeats the timed reload', reload_file: 'reloads from this file', include_check: 'makes missing include files an error',
    config_save_dir: 'saves a copy of each configuration it reads', tmp_config_directory: 'keeps its configuration copy in this directory',
    data_use_instance: 'names its data files after the instance', net_namespace: 'runs in this network namespace', net_namespace_ipvs: 'runs IPVS in this network namespace',
    namespace_with_ipsets: 'keeps ipsets per network namespace', use_pid_dir: 'puts its pid files in /run/keepalived', instance: 'names its files after this instance',
    linkbeat_use_polling: 'polls interface link state instead of listening to netlink', vrrp_garp_lower_prio_master_delay: 'delays gratuitous ARPs after a lower-priority advert',
  },
  noEffect: new Set([...SMTP, ...SNMP, ...LVS]),
};

export const INSTANCE_KEYWORDS: KeywordTable = {
  where: 'vrrp_instance',
  effects: {
    use_vmac: 'moves the VIPs on a macvlan interface with the virtual MAC 00:00:5e:00:01:VRID',
    use_vmac_addr: 'uses the virtual MAC as the source address', vmac_xmit_base: 'sends adverts from the base interface while using a VMAC',
    use_ipvlan: 'moves the VIPs on an ipvlan interface', vrf: 'runs the instance inside this VRF',
    unicast_fault_no_peer: 'enters FAULT when unicast is configured without any peer', check_unicast_src: 'drops unicast adverts from sources not in unicast_peer',
    old_unicast_checksum: 'computes the advert checksum the way keepalived < 1.3.6 did for unicast', native_ipv6: 'runs the instance over IPv6',
    track_file: 'adds the number written in a file, times a weight, to the priority',
    track_bfd: 'changes priority or enters FAULT when a BFD session goes down', mcast_dst_ip: 'sends adverts to this multicast group instead of 224.0.0.18',
    track_src_ip: 'enters FAULT when the source address goes away', unicast_ttl: 'checks/sets this TTL on unicast adverts',
    virtual_ipaddress_excluded: 'adds these addresses as MASTER without listing them in adverts', promote_secondaries: 'sets promote_secondaries on the interface',
    linkbeat_use_polling: 'polls the link state instead of listening to netlink', virtual_routes: 'adds these routes as MASTER and removes them otherwise',
    virtual_rules: 'adds these policy routing rules as MASTER and removes them otherwise', accept: 'accepts traffic to the VIPs as MASTER in strict mode',
    no_accept: 'drops traffic to the VIPs (firewall rules) even as MASTER', skip_check_adv_addr: "skips checking an advert's address list when it comes from the current master",
    strict_mode: 'runs this instance in strict RFC mode (no unicast, no authentication)', debug: 'logs more about this instance',
    notify_deleted: 'reports a removed instance as DELETED instead of FAULT to notify scripts', notify_priority_changes: 'runs the notify scripts on every priority change',
    down_timer_adverts: 'changes how many missed adverts make a backup take over (default 3)', garp_extra_if: 'sends gratuitous ARPs on other interfaces as well',
    vmac_garp_intvl: 'sends gratuitous ARPs on the VMAC periodically', lower_prio_no_advert: 'does not answer a lower-priority advert while MASTER',
    higher_prio_send_advert: 'sends one advert before yielding to a higher-priority master', kernel_rx_buf_size: 'sizes the receive socket buffer',
    garp_interval: 'spaces gratuitous ARPs on this interface by this interval', gna_interval: 'spaces IPv6 neighbour advertisements by this interval',
    interfaces: 'lists the interfaces a VMAC/ipvlan may use',
  },
  noEffect: new Set(['smtp_alert', 'lvs_sync_daemon_interface']),
};

export const TOP_KEYWORDS: KeywordTable = {
  where: 'top level',
  effects: {
    static_ipaddress: 'adds these addresses at start and keeps them', static_routes: 'adds these routes at start and keeps them', static_rules: 'adds these rules at start and keeps them',
    linkbeat_interfaces: 'polls these interfaces for link state', vrrp_track_file: 'defines a tracked file whose number changes priority',
    track_file: 'defines a tracked file whose number changes priority',
    track_process: 'defines a tracked process', bfd_instance: 'runs a BFD session whose state instances can track', garp_group: 'sets gratuitous ARP intervals per interface',
    net_namespace: 'runs in this network namespace', use_pid_dir: 'puts its pid files in /run/keepalived', instance: 'names its files after this instance',
    track_group: 'groups instances for tracking', vrrp_group: 'groups instances (the old name of vrrp_sync_group)',
  },
  noEffect: new Set(['virtual_server', 'virtual_server_group', 'real_server']),
};

export const SYNC_GROUP_KEYWORDS: KeywordTable = {
  where: 'vrrp_sync_group',
  effects: {
    global_tracking: 'lets every member keep its own tracking (deprecated)', sync_group_tracking_weight: 'lets tracking weights of members apply to the group',
    track_script: 'applies these tracked scripts to every member', track_interface: 'applies these tracked interfaces to every member',
    track_file: 'applies these tracked files to every member', track_process: 'applies these tracked processes to every member', track_bfd: 'applies these BFD sessions to every member',
    notify_priority_changes: 'runs the notify scripts on priority changes',
  },
  noEffect: new Set(['smtp_alert']),
};
