module github.com/hvcsdk/hvc/interop

go 1.24.0

require (
	github.com/hvcsdk/hvc v0.0.0-00010101000000-000000000000
	github.com/vmware/vsphere-automation-sdk-go/runtime v0.7.0
)

require (
	github.com/beevik/etree v1.1.0 // indirect
	github.com/gibson042/canonicaljson-go v1.0.3 // indirect
	github.com/go-resty/resty/v2 v2.17.2 // indirect
	github.com/golang-jwt/jwt/v4 v4.3.0 // indirect
	github.com/google/uuid v1.2.0 // indirect
	golang.org/x/net v0.43.0 // indirect
	golang.org/x/sync v0.16.0 // indirect
	golang.org/x/text v0.28.0 // indirect
)

replace github.com/hvcsdk/hvc => ../
