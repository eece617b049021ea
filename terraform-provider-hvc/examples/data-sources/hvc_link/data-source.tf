data "hvc_link" "onprem" {
  domain_name = "vsphere.local"
}

# HEALTHY or UNHEALTHY on vSphere 8.0U1 and later; null before.
output "link_health" {
  value = data.hvc_link.onprem.connection_health_status
}
