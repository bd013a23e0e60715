package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/mimir-tui/mimir-tui/loaders/record"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

const recordUsage = `usage: mimir-tui record -o FILE [--kubeconfig FILE] [--context NAME] [-n NAMESPACE | -A]

Records the cluster's entity log: watches pods and services and appends
one JSON line per change (a pod getting, changing or releasing its address,
a service added, changed or deleted), timed when it was seen. Run it beside
your packet captures, started before them, and stop it with Ctrl-C after
them. An existing FILE is continued: only what changed since is appended;
a file that is not an entity log is refused, never overwritten.

The cluster is found as kubectl finds it: --kubeconfig, else $KUBECONFIG,
else ~/.kube/config, else the pod's service account when run in a pod.
It needs get, list and watch on pods and services.`

// recordFlags are the record command's flags.
type recordFlags struct {
	out, kubeconfig, context, namespace string
	all                                 bool
}

func (rf *recordFlags) parse(args []string, stderr io.Writer) error {
	fs := newFlags("record", recordUsage, stderr)
	fs.StringVar(&rf.out, "o", "", "the entity log to write or continue (- for standard output)")
	fs.StringVar(&rf.kubeconfig, "kubeconfig", "", "the kubeconfig file (default $KUBECONFIG, else ~/.kube/config)")
	fs.StringVar(&rf.context, "context", "", "the kubeconfig context (default its current context)")
	fs.StringVar(&rf.namespace, "n", "", "record one namespace only")
	fs.StringVar(&rf.namespace, "namespace", "", "same as -n")
	fs.BoolVar(&rf.all, "A", false, "record all namespaces (the default)")
	fs.BoolVar(&rf.all, "all-namespaces", false, "same as -A")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(fs, pos, 0, "(no arguments; -o FILE)"); err != nil {
		return err
	}
	if rf.out == "" {
		return fmt.Errorf("%w: mimir-tui record -o FILE: say where to write the entity log (see -h)", errUsage)
	}
	if rf.all && rf.namespace != "" {
		return fmt.Errorf("%w: -n %s and -A: give one of them", errUsage, rf.namespace)
	}
	return nil
}

// newClient makes the clientset; tests replace it with a fake cluster.
var newClient = func(kubeconfig, context string) (kubernetes.Interface, string, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = kubeconfig
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: context})
	cfg, err := cc.ClientConfig()
	if err != nil {
		return nil, "", fmt.Errorf("find the cluster: %w (set --kubeconfig, $KUBECONFIG or --context as for kubectl)", err)
	}
	cfg.UserAgent = "mimir-tui-record"
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, "", fmt.Errorf("connect to %s: %w", cfg.Host, err)
	}
	return client, cfg.Host, nil
}

func runRecord(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var rf recordFlags
	if err := rf.parse(args, stderr); err != nil {
		return err
	}
	client, host, err := newClient(rf.kubeconfig, rf.context)
	if err != nil {
		return err
	}
	w, opts, closeLog, err := openRecordLog(rf.out, stdout)
	if err != nil {
		return err
	}
	opts.Namespace = rf.namespace
	where := "all namespaces"
	if rf.namespace != "" {
		where = "namespace " + rf.namespace
	}
	opts.Ready = func(s record.Stats) {
		fmt.Fprintf(stderr, "record: recording pods and services in %s of %s to %s (%s to catch up); Ctrl-C stops\n", where, host, rf.out, countOf(s.Adds+s.Deletes, "line"))
	}
	r := record.New(client, w, opts)
	err = r.Run(ctx)
	s := r.Stats()
	err = errors.Join(err, closeLog(err != nil && s == record.Stats{}))
	if err == nil {
		fmt.Fprintf(stderr, "record: wrote %s (%s, %s) to %s\n", countOf(s.Adds+s.Deletes, "event"), countOf(s.Adds, "add"), countOf(s.Deletes, "delete"), rf.out)
	}
	return err
}

// openRecordLog opens the log to append to, or standard output for "-".
// closeLog closes it, and removes it if this run created it and failed
// before writing anything (failedEmpty).
func openRecordLog(path string, stdout io.Writer) (w io.Writer, opts record.Options, closeLog func(failedEmpty bool) error, err error) {
	if path == "-" {
		return stdout, opts, func(bool) error { return nil }, nil
	}
	_, statErr := os.Stat(path)
	created := errors.Is(statErr, fs.ErrNotExist)
	f, prior, err := record.OpenLog(path)
	if err != nil {
		return nil, opts, nil, err
	}
	closeLog = func(failedEmpty bool) error {
		if err := errors.Join(f.Sync(), f.Close()); err != nil {
			return fmt.Errorf("close %s: %w", path, err)
		}
		if failedEmpty && created {
			os.Remove(path) // nothing of the user's is lost: it is empty and ours
		}
		return nil
	}
	return f, record.Options{Prior: prior}, closeLog, nil
}
