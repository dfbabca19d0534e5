// An etcd for the local kube-apiserver (scripts/k8s/apiserver.sh): etcd's own commands cannot be
// built with `go install` (their go.mod has replace directives), its embeddable server can.
// Listens on 127.0.0.1 only; data in the folder given.
package main

import (
	"flag"
	"log"
	"net/url"
	"os"
	"os/signal"
	"syscall"

	"go.etcd.io/etcd/server/v3/embed"
)

func main() {
	dataDir := flag.String("data-dir", "", "folder for etcd's data")
	clientPort := flag.String("client-port", "31379", "port for clients (the API server)")
	peerPort := flag.String("peer-port", "31380", "port for peers (none; etcd needs one)")
	flag.Parse()
	if *dataDir == "" {
		log.Fatal("--data-dir is required")
	}
	cfg := embed.NewConfig()
	cfg.Dir = *dataDir
	cfg.LogLevel = "warn"
	client, _ := url.Parse("http://127.0.0.1:" + *clientPort)
	peer, _ := url.Parse("http://127.0.0.1:" + *peerPort)
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{*client}, []url.URL{*client}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{*peer}, []url.URL{*peer}
	cfg.InitialCluster = cfg.Name + "=" + peer.String()
	server, err := embed.StartEtcd(cfg)
	if err != nil {
		log.Fatal(err)
	}
	<-server.Server.ReadyNotify()
	log.Printf("etcd ready on %s", client)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	select {
	case <-stop:
	case err := <-server.Err():
		log.Print(err)
	}
	server.Close()
}
