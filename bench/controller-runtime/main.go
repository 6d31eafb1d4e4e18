// Command bench-controller-runtime is the controller-runtime contestant of the kube-secondary
// benchmark: the same Database job (Deployment, Service, Secret, ConfigMap per primary) with
// For + Owns and GenerationChangedPredicate where controller-runtime users put it.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
)

var databaseGVK = schema.GroupVersionKind{Group: "demo.kube-secondary.dev", Version: "v1", Kind: "Database"}

// counters are served as Prometheus text: bench_reconciles_total and bench_requests_total{verb}.
type counters struct {
	mu         sync.Mutex
	reconciles uint64
	requests   map[string]uint64
}

func (c *counters) request(verb string) {
	c.mu.Lock()
	c.requests[verb]++
	c.mu.Unlock()
}

func (c *counters) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(w, "bench_reconciles_total %d\n", c.reconciles)
	for verb, n := range c.requests {
		fmt.Fprintf(w, "bench_requests_total{verb=%q} %d\n", verb, n)
	}
}

// verb classifies a request the way the Rust contestants' counting layer does.
func verb(r *http.Request) string {
	segments := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	var rest []string
	switch {
	case len(segments) >= 2 && segments[0] == "api":
		rest = segments[2:]
	case len(segments) >= 3 && segments[0] == "apis":
		rest = segments[3:]
	}
	if len(rest) >= 3 && rest[0] == "namespaces" {
		rest = rest[2:]
	}
	switch r.Method {
	case http.MethodGet:
		if r.URL.Query().Get("watch") == "true" || r.URL.Query().Get("watch") == "1" {
			return "watch"
		}
		if len(rest) <= 1 {
			return "list"
		}
		return "get"
	case http.MethodPost:
		return "create"
	case http.MethodPatch:
		return "patch"
	case http.MethodPut:
		return "update"
	case http.MethodDelete:
		return "delete"
	}
	return "other"
}

type countingTransport struct {
	next     http.RoundTripper
	counters *counters
}

func (t countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.counters.request(verb(r))
	return t.next.RoundTrip(r)
}

type reconciler struct {
	client   client.Client
	manager  string
	counters *counters
}

func labels(name, manager string) map[string]string {
	return map[string]string{"app.kubernetes.io/instance": name, "app.kubernetes.io/managed-by": manager}
}

func (r *reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	r.counters.mu.Lock()
	r.counters.reconciles++
	r.counters.mu.Unlock()
	db := &unstructured.Unstructured{}
	db.SetGroupVersionKind(databaseGVK)
	if err := r.client.Get(ctx, req.NamespacedName, db); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	image, _, _ := unstructured.NestedString(db.Object, "spec", "image")
	replicas, _, _ := unstructured.NestedInt64(db.Object, "spec", "replicas")
	port, _, _ := unstructured.NestedInt64(db.Object, "spec", "port")
	config, _, _ := unstructured.NestedStringMap(db.Object, "spec", "config")
	name, ns := db.GetName(), db.GetNamespace()
	owner := metav1.OwnerReference{
		APIVersion: databaseGVK.GroupVersion().String(), Kind: databaseGVK.Kind, Name: name, UID: db.GetUID(),
		Controller: ptr(true), BlockOwnerDeletion: ptr(true),
	}
	meta := func(objName string) metav1.ObjectMeta {
		return metav1.ObjectMeta{Name: objName, Namespace: ns, Labels: labels(name, r.manager), OwnerReferences: []metav1.OwnerReference{owner}}
	}
	selector := map[string]string{"app.kubernetes.io/instance": name}
	replicas32, port32 := int32(replicas), int32(port)
	deployment := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: meta(name),
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas32,
			Selector: &metav1.LabelSelector{MatchLabels: selector},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: selector},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: "db", Image: image, Ports: []corev1.ContainerPort{{ContainerPort: port32}},
				}}},
			},
		},
	}
	service := &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: meta(name),
		Spec: corev1.ServiceSpec{
			Type: corev1.ServiceTypeClusterIP, Selector: selector,
			Ports: []corev1.ServicePort{{Name: "db", Port: port32, TargetPort: intstr.FromInt32(port32)}},
		},
	}
	configMap := &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: meta(name + "-config"),
		Data:       config,
	}
	for _, obj := range []client.Object{deployment, service, configMap} {
		if err := r.client.Patch(ctx, obj, client.Apply, client.FieldOwner(r.manager), client.ForceOwnership); err != nil {
			return ctrl.Result{}, err
		}
	}
	secret := &corev1.Secret{}
	err := r.client.Get(ctx, client.ObjectKey{Namespace: ns, Name: name + "-credentials"}, secret)
	if apierrors.IsNotFound(err) {
		password := strings.ReplaceAll(string(db.GetUID()), "-", "")
		if len(password) > 16 {
			password = password[:16]
		}
		secret = &corev1.Secret{
			ObjectMeta: meta(name + "-credentials"),
			Data:       map[string][]byte{"username": []byte("db"), "password": []byte(password)},
		}
		if err := r.client.Create(ctx, secret, client.FieldOwner(r.manager)); err != nil && !apierrors.IsAlreadyExists(err) {
			return ctrl.Result{}, err
		}
	} else if err != nil {
		return ctrl.Result{}, err
	}
	observed, found, _ := unstructured.NestedInt64(db.Object, "status", "observedGeneration")
	if !found || observed != db.GetGeneration() {
		patch := []byte(fmt.Sprintf(`{"status":{"observedGeneration":%d}}`, db.GetGeneration()))
		if err := r.client.Status().Patch(ctx, db, client.RawPatch("application/merge-patch+json", patch)); err != nil {
			return ctrl.Result{}, err
		}
	}
	return ctrl.Result{}, nil
}

func ptr[T any](v T) *T { return &v }

func main() {
	namespace := flag.String("namespace", "", "watch only this namespace")
	metricsAddr := flag.String("metrics-addr", "127.0.0.1:8080", "serve bench counters on this address")
	userAgent := flag.String("user-agent", "bench-controller-runtime", "the client's user agent")
	manager := flag.String("field-manager", "bench-controller-runtime", "server-side apply field manager")
	opts := zap.Options{}
	opts.BindFlags(flag.CommandLine)
	flag.Parse()
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&opts)))

	c := &counters{requests: map[string]uint64{}}
	cfg := ctrl.GetConfigOrDie()
	cfg.UserAgent = *userAgent
	cfg.QPS, cfg.Burst = 1000, 2000
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { return countingTransport{next: rt, counters: c} })

	scheme := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(scheme)
	options := ctrl.Options{
		Scheme: scheme, Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0", LeaderElection: false,
		// Reads of the Database (unstructured) come from the cache too, as for the typed children.
		Client: client.Options{Cache: &client.CacheOptions{Unstructured: true}},
	}
	if *namespace != "" {
		options.Cache = cache.Options{DefaultNamespaces: map[string]cache.Config{*namespace: {}}}
	}
	mgr, err := ctrl.NewManager(cfg, options)
	if err != nil {
		fmt.Fprintln(os.Stderr, "manager:", err)
		os.Exit(1)
	}
	db := &unstructured.Unstructured{}
	db.SetGroupVersionKind(databaseGVK)
	err = ctrl.NewControllerManagedBy(mgr).
		For(db, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Owns(&appsv1.Deployment{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Owns(&corev1.Service{}).
		Owns(&corev1.Secret{}).
		Owns(&corev1.ConfigMap{}).
		Complete(&reconciler{client: mgr.GetClient(), manager: *manager, counters: c})
	if err != nil {
		fmt.Fprintln(os.Stderr, "controller:", err)
		os.Exit(1)
	}
	go func() {
		if err := http.ListenAndServe(*metricsAddr, c); err != nil {
			fmt.Fprintln(os.Stderr, "metrics:", err)
		}
	}()
	if err := mgr.Start(ctrl.SetupSignalHandler()); err != nil {
		fmt.Fprintln(os.Stderr, "manager stopped:", err)
		os.Exit(1)
	}
}
