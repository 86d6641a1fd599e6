"""Runs a command on a pseudo-terminal and answers its questions: argv is the command; each line of
the ANSWERS environment variable is `question<TAB>answer` (in order). Prints everything the terminal
showed, exits with the command's code. Bounded: 240 s at most."""
import os, pty, select, sys, time

pairs = [line.split('\t', 1) for line in os.environ.get('ANSWERS', '').split('\n') if line]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out = b''
seen = 0
deadline = time.time() + 240
while time.time() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.2)
    if fd in ready:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        out += data
    if pairs:
        question = pairs[0][0].encode()
        at = out.find(question, seen)
        if at >= 0:
            seen = at + len(question)
            time.sleep(0.1)
            os.write(fd, pairs[0][1].encode() + b'\r')
            pairs.pop(0)
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
sys.exit(os.waitstatus_to_exitcode(status))
