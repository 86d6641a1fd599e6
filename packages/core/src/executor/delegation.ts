/**
 * Where a task runs, as Ansible decides it: `delegate_to` (and `local_action`) name another host, whose
 * variables choose the connection, while the task's own host keeps templating its arguments; the
 * `connection` keyword and `ansible_connection` choose between SSH and the controller itself.
 */
export type Transport = 'ssh' | 'local';

/**
 * The transport for a task: ansible_connection (of the delegated host when delegating) wins over the
 * `connection` keyword, as in Ansible; `smart` and `paramiko` are SSH here. Anything else is refused.
 */
export function transportOf(ansibleConnection: unknown, keyword: unknown): Transport {
  const chosen = ansibleConnection !== undefined && ansibleConnection !== null && ansibleConnection !== '' ? ansibleConnection : keyword;
  if (chosen === undefined || chosen === null || chosen === '') return 'ssh';
  const name = String(chosen).trim();
  if (name === 'local') return 'local';
  if (name === 'ssh' || name === 'smart' || name === 'paramiko' || name === 'ansible.builtin.ssh' || name === 'ansible.builtin.paramiko_ssh') return 'ssh';
  if (name === 'ansible.builtin.local') return 'local';
  const from = chosen === ansibleConnection ? 'ansible_connection' : 'connection';
  throw new Error(`${from} '${name}' is not supported by this provisioner (supported: ssh, local)`);
}
