module example.com/shop/legacy

go 1.20
