// etcd for the testbed: exactly upstream etcd's main (server/etcdmain), built from the
// published modules at one pinned version.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
