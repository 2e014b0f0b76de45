module example.com/near

go 1.22
